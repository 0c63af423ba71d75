variable "tag" {
  description = "Project tag: the service is named <tag>-<name> and logs to /<tag>/<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.tag)) && length(var.tag) >= 2 && length(var.tag) <= 20
    error_message = "The tag must be 2-20 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash."
  }
}

variable "name" {
  description = "Name of the app."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.name)) && length(var.name) <= 18
    error_message = "The app name must be at most 18 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash."
  }
}

variable "region" {
  description = "AWS region of the log group (the awslogs driver's awslogs-region)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "The region must be an AWS region name, like \"eu-west-1\"."
  }
}

variable "image" {
  description = "Image of the app, with its tag (the release): changing it rolls the service over in place."
  type        = string

  validation {
    condition     = length(trimspace(var.image)) > 0 && !strcontains(var.image, " ")
    error_message = "The image must be an image reference like \"nginx:1.27-alpine\" or \"registry.example.com/team/app:1.4.2\"."
  }
}

variable "command" {
  description = "Command of the containers, overriding the image's (null: the image's own)."
  type        = list(string)
  default     = null
}

variable "port" {
  description = "Port the app listens on inside its containers; the proxy forwards to it (com.df.port)."
  type        = number
  default     = 80

  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "The port must be a port number from 1 to 65535."
  }
}

variable "path" {
  description = "Path prefix the proxy routes to the app (com.df.servicePath)."
  type        = string
  default     = "/"

  validation {
    condition     = startswith(var.path, "/") && !strcontains(var.path, " ")
    error_message = "The path must start with \"/\" and contain no spaces, like \"/\" or \"/api\"."
  }
}

variable "domain" {
  description = "Host name the proxy routes to the app (com.df.serviceDomain); null: any host."
  type        = string
  default     = null

  validation {
    condition     = var.domain == null || can(regex("^[A-Za-z0-9*]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$", var.domain))
    error_message = "The domain must be a host name like \"app.example.com\" (or \"*.example.com\"), or null."
  }
}

variable "replicas" {
  description = "Number of containers of the app."
  type        = number
  default     = 1

  validation {
    condition     = var.replicas >= 0 && floor(var.replicas) == var.replicas
    error_message = "The replicas must be a whole number, 0 or more (0 stops the app and keeps its service)."
  }
}

variable "env" {
  description = "Environment of the containers. Values may be sensitive (a DATABASE_URL with its password): the plan then hides the whole map."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secrets of the app, each a docker_secret mounted at /run/secrets/<key>."
  type        = map(string)
  default     = {}
  sensitive   = true

  validation {
    condition     = alltrue([for k in keys(var.secrets) : can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", k))])
    error_message = "Secret names must be letters, digits, dots, dashes and underscores (they become file names under /run/secrets)."
  }
}

variable "labels" {
  description = "More service labels, e.g. more Docker Flow Proxy settings (com.df.httpsOnly = \"true\"). The module sets com.df.notify, com.df.distribute, com.df.servicePath, com.df.port and com.df.serviceDomain."
  type        = map(string)
  default     = {}
}

variable "network_name" {
  description = "The overlay network the proxy is on (the proxy module's network_name)."
  type        = string
  default     = "proxy"
}

variable "constraints" {
  description = "Swarm placement constraints, like [\"node.role == worker\"] or [\"engine.labels.tier == web\"]."
  type        = list(string)
  default     = []
}

variable "cpu_limit" {
  description = "CPUs each container may use at most, like 0.5 (null: no limit)."
  type        = number
  default     = null

  validation {
    condition     = var.cpu_limit == null || try(var.cpu_limit > 0, false)
    error_message = "The cpu_limit must be more than 0 CPUs, or null."
  }
}

variable "memory_limit" {
  description = "Memory each container may use at most, in MiB (null: no limit)."
  type        = number
  default     = null

  validation {
    condition     = var.memory_limit == null || try(var.memory_limit >= 6, false)
    error_message = "The memory_limit must be 6 MiB or more (Docker's minimum), or null."
  }
}

variable "restart_max_attempts" {
  description = "How many times swarm restarts a failing container before giving up on it."
  type        = number
  default     = 3

  validation {
    condition     = var.restart_max_attempts >= 0 && floor(var.restart_max_attempts) == var.restart_max_attempts
    error_message = "The restart_max_attempts must be a whole number, 0 or more (0: no limit)."
  }
}

variable "volume" {
  description = "A persistent volume: where it is mounted in the containers, and its Docker volume driver (\"local\", or \"rexray/ebs\" with the swarm-cluster module's ebs_volumes) with options. Null: none."
  type = object({
    path        = string
    driver      = optional(string, "local")
    driver_opts = optional(map(string), {})
  })
  default = null

  validation {
    condition     = var.volume == null || try(startswith(var.volume.path, "/"), false)
    error_message = "The volume's path must be absolute, like \"/data\"."
  }
}

variable "log_driver" {
  description = "Docker log driver. With \"awslogs\" (futuswarm's) the app logs to the log group /<tag>/<name>; any other driver (json-file, for a swarm outside AWS) gets no options. The log group is made either way."
  type        = string
  default     = "awslogs"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_.-]*$", var.log_driver))
    error_message = "The log_driver must be a Docker log driver name, like \"awslogs\" or \"json-file\"."
  }
}

variable "log_retention_in_days" {
  description = "How long CloudWatch keeps the app's logs (0: forever)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "The log_retention_in_days must be one CloudWatch allows: 0 (forever), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "tags" {
  description = "Tags added to the log group."
  type        = map(string)
  default     = {}
}
