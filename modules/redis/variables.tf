variable "tag" {
  description = "Project tag: the cache cluster is named <tag>-<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.tag)) && length(var.tag) >= 2 && length(var.tag) <= 20
    error_message = "The tag must be 2-20 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash."
  }
}

variable "name" {
  description = "Name of the app the cache belongs to."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.name)) && length(var.name) <= 18
    error_message = "The name must be at most 18 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash (the cluster ID, <tag>-<name>, follows ElastiCache's naming rules)."
  }
}

variable "vpc_id" {
  description = "VPC of the cache's security group."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the cache subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "Give at least one subnet ID."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on the Redis port (the network module's cluster group)."
  type        = list(string)

  validation {
    condition     = length(var.allowed_security_group_ids) >= 1
    error_message = "Allow at least one security group in, or nothing can reach the cache."
  }
}

variable "engine_version" {
  description = "Redis version: \"7.1\" follows the latest patch AWS has."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9x]+)*$", var.engine_version))
    error_message = "The engine_version must be a Redis version like \"7.1\"."
  }
}

variable "node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t3.micro"

  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "The node_type must be an ElastiCache node type, like \"cache.t3.micro\"."
  }
}

variable "num_cache_nodes" {
  description = "Number of cache nodes: a Redis cluster (aws_elasticache_cluster) has exactly one."
  type        = number
  default     = 1

  validation {
    condition     = var.num_cache_nodes == 1
    error_message = "A Redis aws_elasticache_cluster has exactly one node; replicas need a replication group (aws_elasticache_replication_group)."
  }
}

variable "az_mode" {
  description = "Availability zone mode: a single-node Redis cluster is \"single-az\"."
  type        = string
  default     = "single-az"

  validation {
    condition     = var.az_mode == "single-az"
    error_message = "A Redis aws_elasticache_cluster is single-az (cross-az is for Memcached); for more zones use a replication group."
  }
}

variable "availability_zone" {
  description = "Availability zone of the node (null: AWS picks one of the subnet group's)."
  type        = string
  default     = null
}

variable "port" {
  description = "Port of the cache. Changing it replaces the cluster."
  type        = number
  default     = 6379

  validation {
    condition     = var.port >= 1024 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "The port must be a port number from 1024 to 65535."
  }
}

variable "maintenance_window" {
  description = "Weekly maintenance window, UTC (ddd:hh24:mi-ddd:hh24:mi)."
  type        = string
  default     = "sun:05:30-sun:06:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", lower(var.maintenance_window)))
    error_message = "The maintenance_window must look like \"sun:05:30-sun:06:30\" (UTC)."
  }
}

variable "snapshot_retention_limit" {
  description = "Days of daily snapshots (0 turns them off; not on cache.t1 nodes)."
  type        = number
  default     = 0

  validation {
    condition     = var.snapshot_retention_limit >= 0 && var.snapshot_retention_limit <= 35
    error_message = "The snapshot_retention_limit must be from 0 to 35 days."
  }
}

variable "apply_immediately" {
  description = "Apply changes now instead of in the next maintenance window."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
