variable "tag" {
  description = "Project tag: names every resource (<tag>-<app> services, /<tag>/<app> log groups, the <tag> load balancer)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.tag)) && length(var.tag) >= 2 && length(var.tag) <= 20
    error_message = "The tag must be 2-20 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash (it prefixes AWS names with strict rules)."
  }
}

variable "region" {
  description = "AWS region of the platform: the availability zones' prefix and the awslogs driver's region. Give the aws provider the same one."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "The region must be an AWS region name, like \"eu-west-1\"."
  }
}

variable "availability_zones" {
  description = "Availability zones of the subnets (null: <region>a, <region>b and <region>c)."
  type        = list(string)
  default     = null
}

variable "vpc_cidr" {
  description = "Address range of the VPC; each subnet gets a quarter of it."
  type        = string
  default     = "172.16.12.0/22"
}

variable "ssh_cidr_blocks" {
  description = "Address ranges allowed to SSH to the nodes."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "cluster" {
  description = "The swarm's machines (modules/swarm-cluster): managers, workers, their instance types, AMI (null: latest Ubuntu LTS, looked up with credentials), SSH key, root volume size, engine labels, EBS volume plugin."
  type = object({
    managers              = optional(number, 3)
    workers               = optional(number, 3)
    manager_instance_type = optional(string, "m4.large")
    worker_instance_type  = optional(string, "m4.large")
    ami_id                = optional(string)
    ssh_public_key        = optional(string)
    key_name              = optional(string)
    ssh_user              = optional(string, "ubuntu")
    root_volume_size      = optional(number, 30)
    node_labels           = optional(map(string), {})
    ebs_volumes           = optional(bool, false)
  })
  default  = {}
  nullable = false
}

variable "proxy" {
  description = "The proxy (modules/proxy): images and commands of Docker Flow Proxy and its swarm listener, replicas, published ports, extra proxy environment, the load balancer and its ACM certificate."
  type = object({
    network_name         = optional(string, "proxy")
    image                = optional(string, "dockerflow/docker-flow-proxy")
    listener_image       = optional(string, "dockerflow/docker-flow-swarm-listener")
    command              = optional(list(string))
    listener_command     = optional(list(string))
    replicas             = optional(number, 2)
    http_port            = optional(number, 80)
    https_port           = optional(number, 443)
    env                  = optional(map(string), {})
    load_balancer        = optional(bool, true)
    certificate_arn      = optional(string)
    health_check_path    = optional(string, "/")
    health_check_matcher = optional(string, "200-499")
  })
  default  = {}
  nullable = false
}

variable "postgres" {
  description = "Settings of every app's PostgreSQL (modules/postgres)."
  type = object({
    engine_version          = optional(string, "16")
    instance_class          = optional(string, "db.t3.micro")
    allocated_storage       = optional(number, 20)
    storage_encrypted       = optional(bool, true)
    multi_az                = optional(bool, false)
    backup_retention_period = optional(number, 7)
    backup_window           = optional(string, "03:00-04:00")
    maintenance_window      = optional(string, "sun:04:30-sun:05:30")
    deletion_protection     = optional(bool, true)
    skip_final_snapshot     = optional(bool, false)
    apply_immediately       = optional(bool, false)
  })
  default  = {}
  nullable = false
}

variable "redis" {
  description = "Settings of every app's Redis (modules/redis)."
  type = object({
    engine_version           = optional(string, "7.1")
    node_type                = optional(string, "cache.t3.micro")
    maintenance_window       = optional(string, "sun:05:30-sun:06:30")
    snapshot_retention_limit = optional(number, 0)
    apply_immediately        = optional(bool, false)
  })
  default  = {}
  nullable = false
}

variable "logs" {
  description = "Logging of every service: the Docker log driver (\"awslogs\" as futuswarm; \"json-file\" for a swarm outside AWS, the log groups are still made) and how long CloudWatch keeps the logs."
  type = object({
    driver            = optional(string, "awslogs")
    retention_in_days = optional(number, 30)
  })
  default  = {}
  nullable = false
}

variable "apps" {
  description = "The apps, by name: a service each behind the proxy at path (and domain), with a PostgreSQL (database = true) and a Redis (cache = true) of their own when asked."
  type = map(object({
    image        = string
    command      = optional(list(string))
    port         = optional(number, 80)
    path         = optional(string, "/")
    domain       = optional(string)
    replicas     = optional(number, 1)
    env          = optional(map(string), {})
    database     = optional(bool, false)
    cache        = optional(bool, false)
    constraints  = optional(list(string), [])
    cpu_limit    = optional(number)
    memory_limit = optional(number)
    labels       = optional(map(string), {})
    volume = optional(object({
      path        = string
      driver      = optional(string, "local")
      driver_opts = optional(map(string), {})
    }))
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for name in keys(var.apps) : can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", name)) && length(name) <= 18])
    error_message = "App names must be at most 18 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash (they name services, log groups, databases and caches)."
  }

  validation {
    condition     = length(setintersection(keys(var.apps), ["proxy", "swarm-listener"])) == 0
    error_message = "The app names \"proxy\" and \"swarm-listener\" are taken by the platform's own services (<tag>-proxy, <tag>-swarm-listener) and log groups."
  }

  validation {
    condition     = alltrue([for app in values(var.apps) : startswith(app.path, "/")])
    error_message = "Every app's path must start with \"/\", like \"/\" or \"/api\"."
  }

  validation {
    condition     = alltrue([for app in values(var.apps) : app.port >= 1 && app.port <= 65535])
    error_message = "Every app's port must be a port number from 1 to 65535."
  }

  validation {
    condition     = length(distinct([for app in values(var.apps) : "${coalesce(app.domain, "*")}${app.path}"])) == length(var.apps)
    error_message = "Two apps have the same domain and path: the proxy could not tell them apart. Give each app its own path or domain."
  }
}

variable "db_passwords" {
  description = "Password of each app's database, by app name. An app with database = true that has none here gets one generated (random_password)."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "secrets" {
  description = "Secrets of each app, by app name then secret name: docker_secrets mounted at /run/secrets/<secret name>."
  type        = map(map(string))
  default     = {}
  sensitive   = true
}

variable "tags" {
  description = "Tags added to every AWS resource."
  type        = map(string)
  default     = {}
}
