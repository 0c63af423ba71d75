variable "tag" {
  description = "Project tag: prefixes the service names, the log groups and the load balancer."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.tag)) && length(var.tag) >= 2 && length(var.tag) <= 20
    error_message = "The tag must be 2-20 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash."
  }
}

variable "region" {
  description = "AWS region of the log groups (the awslogs driver's awslogs-region)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "The region must be an AWS region name, like \"eu-west-1\"."
  }
}

variable "network_name" {
  description = "Name of the overlay network the proxy and every app share."
  type        = string
  default     = "proxy"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", var.network_name))
    error_message = "The network_name must be letters, digits, dots, dashes and underscores, starting with a letter or digit."
  }
}

variable "image" {
  description = "Image of the proxy (Docker Flow Proxy, HAProxy reconfigured as services come and go)."
  type        = string
  default     = "dockerflow/docker-flow-proxy"

  validation {
    condition     = length(trimspace(var.image)) > 0
    error_message = "The proxy image must not be empty."
  }
}

variable "listener_image" {
  description = "Image of the swarm listener (Docker Flow Swarm Listener: tells the proxy about services labelled com.df.notify=true)."
  type        = string
  default     = "dockerflow/docker-flow-swarm-listener"

  validation {
    condition     = length(trimspace(var.listener_image)) > 0
    error_message = "The listener image must not be empty."
  }
}

variable "command" {
  description = "Command of the proxy's containers, overriding the image's (null: the image's own)."
  type        = list(string)
  default     = null
}

variable "listener_command" {
  description = "Command of the listener's containers, overriding the image's (null: the image's own)."
  type        = list(string)
  default     = null
}

variable "replicas" {
  description = "Number of proxy containers."
  type        = number
  default     = 2

  validation {
    condition     = var.replicas >= 1 && floor(var.replicas) == var.replicas
    error_message = "The proxy needs at least one replica (a whole number)."
  }
}

variable "http_port" {
  description = "Port the swarm publishes the proxy's HTTP (container port 80) on, on every node."
  type        = number
  default     = 80

  validation {
    condition     = var.http_port >= 1 && var.http_port <= 65535 && floor(var.http_port) == var.http_port
    error_message = "The http_port must be a port number from 1 to 65535."
  }
}

variable "https_port" {
  description = "Port the swarm publishes the proxy's HTTPS (container port 443) on, on every node."
  type        = number
  default     = 443

  validation {
    condition     = var.https_port >= 1 && var.https_port <= 65535 && floor(var.https_port) == var.https_port
    error_message = "The https_port must be a port number from 1 to 65535."
  }
}

variable "env" {
  description = "More environment of the proxy (Docker Flow Proxy settings such as TIMEOUT_HTTP_REQUEST); LISTENER_ADDRESS, MODE and SERVICE_NAME are set by the module."
  type        = map(string)
  default     = {}
}

variable "log_driver" {
  description = "Docker log driver of the proxy and the listener. With \"awslogs\" they log to /<tag>/proxy and /<tag>/swarm-listener; any other driver (json-file, for a swarm outside AWS) gets no options."
  type        = string
  default     = "awslogs"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_.-]*$", var.log_driver))
    error_message = "The log_driver must be a Docker log driver name, like \"awslogs\" or \"json-file\"."
  }
}

variable "log_retention_in_days" {
  description = "How long CloudWatch keeps the proxy's logs (0: forever)."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "The log_retention_in_days must be one CloudWatch allows: 0 (forever), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "load_balancer" {
  description = "Put an application load balancer in front of the nodes (HTTP on 80, HTTPS on 443 when certificate_arn is given), forwarding to the proxy's http_port."
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "VPC of the load balancer's target group (needed when load_balancer is true)."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Subnets of the load balancer, in two availability zones at least (needed when load_balancer is true)."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "Security groups of the load balancer (the network module's elb group)."
  type        = list(string)
  default     = []
}

variable "targets" {
  description = "The nodes behind the load balancer: instance IDs by a stable name (the swarm-cluster module's instance_ids)."
  type        = map(string)
  default     = {}
}

variable "certificate_arn" {
  description = "ARN of an ACM certificate for the HTTPS listener (null: HTTP only)."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "The certificate_arn must be an ACM certificate ARN, like \"arn:aws:acm:eu-west-1:123456789012:certificate/...\", or null."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "health_check_path" {
  description = "Path the load balancer checks the proxy on; Docker Flow Proxy answers 503 where no app serves, so point it at a path an app serves."
  type        = string
  default     = "/"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "The health_check_path must start with \"/\"."
  }
}

variable "health_check_matcher" {
  description = "HTTP codes the load balancer counts as healthy."
  type        = string
  default     = "200-499"
}

variable "tags" {
  description = "Tags added to every AWS resource."
  type        = map(string)
  default     = {}
}
