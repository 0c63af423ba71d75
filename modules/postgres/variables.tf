variable "tag" {
  description = "Project tag: the database is named <tag>-<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.tag)) && length(var.tag) >= 2 && length(var.tag) <= 20
    error_message = "The tag must be 2-20 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash."
  }
}

variable "name" {
  description = "Name of the app the database belongs to."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.name)) && length(var.name) <= 18
    error_message = "The name must be at most 18 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash."
  }
}

variable "vpc_id" {
  description = "VPC of the database's security group."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the database subnet group, in two availability zones at least."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "RDS needs subnets in two availability zones at least."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on the database port (the network module's cluster group)."
  type        = list(string)

  validation {
    condition     = length(var.allowed_security_group_ids) >= 1
    error_message = "Allow at least one security group in, or nothing can reach the database."
  }
}

variable "password" {
  description = "Password of the master user. Kept in the state (as Terraform does): protect the state."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[^/\"@ ]{8,128}$", var.password))
    error_message = "The database password must be 8 to 128 characters without /, \", @ or spaces (RDS's rules). With modules/platform, set db_passwords[\"<app>\"] for every app with database = true."
  }
}

variable "username" {
  description = "Name of the master user."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.username)) && !contains(["postgres", "rdsadmin", "admin", "user"], var.username)
    error_message = "The username must be 1-63 lowercase letters, digits and underscores, starting with a letter, and not a reserved name (postgres, rdsadmin, admin, user)."
  }
}

variable "db_name" {
  description = "Name of the database made at creation (null: the app's name, dashes as underscores)."
  type        = string
  default     = null

  validation {
    condition     = var.db_name == null || can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "The db_name must be 1-63 lowercase letters, digits and underscores, starting with a letter."
  }
}

variable "engine_version" {
  description = "PostgreSQL version: a major version (\"16\") follows AWS's default minor version; \"16.3\" pins it."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)?$", var.engine_version))
    error_message = "The engine_version must be a PostgreSQL version like \"16\" or \"16.3\"."
  }
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t3.micro"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "The instance_class must be an RDS instance class, like \"db.t3.micro\"."
  }
}

variable "allocated_storage" {
  description = "Storage in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536
    error_message = "The allocated_storage must be from 20 to 65536 GiB (RDS's limits for PostgreSQL on gp2/gp3)."
  }
}

variable "storage_encrypted" {
  description = "Encrypt the storage (with the account's default RDS key). Changing it replaces the database."
  type        = bool
  default     = true
}

variable "multi_az" {
  description = "Keep a standby in another availability zone."
  type        = bool
  default     = false
}

variable "backup_retention_period" {
  description = "Days of automated backups (0 turns them off)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 0 && var.backup_retention_period <= 35
    error_message = "The backup_retention_period must be from 0 to 35 days."
  }
}

variable "backup_window" {
  description = "Daily backup window, UTC (hh24:mi-hh24:mi); must not overlap maintenance_window."
  type        = string
  default     = "03:00-04:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "The backup_window must look like \"03:00-04:00\" (UTC)."
  }
}

variable "maintenance_window" {
  description = "Weekly maintenance window, UTC (ddd:hh24:mi-ddd:hh24:mi)."
  type        = string
  default     = "sun:04:30-sun:05:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", lower(var.maintenance_window)))
    error_message = "The maintenance_window must look like \"sun:04:30-sun:05:30\" (UTC)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the database (on by default: turn it off and apply before a destroy)."
  type        = bool
  default     = true
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot. When false, deleting leaves the snapshot <tag>-<name>-final."
  type        = bool
  default     = false
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
