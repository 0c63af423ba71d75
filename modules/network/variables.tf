variable "tag" {
  description = "Project tag: names and tags every resource (the platform's `tag`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.tag)) && length(var.tag) >= 2 && length(var.tag) <= 20
    error_message = "The tag must be 2-20 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash (it prefixes AWS names with strict rules)."
  }
}

variable "cidr_block" {
  description = "The VPC's address range; each subnet gets a quarter of it (cidrsubnet(cidr_block, 2, i))."
  type        = string
  default     = "172.16.12.0/22"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && can(regex("^[0-9.]+/(1[6-9]|2[0-6])$", var.cidr_block))
    error_message = "The cidr_block must be an IPv4 CIDR block from /16 to /26, like \"172.16.12.0/22\" (AWS allows VPCs from /16 to /28, and each subnet takes a quarter)."
  }
}

variable "availability_zones" {
  description = "Availability zones, one public subnet in each (at most four: the VPC is split in quarters)."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 4
    error_message = "Give 2 to 4 availability zones: the load balancer and the database subnet groups need two, and the VPC has room for four subnets."
  }

  validation {
    condition     = length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "The availability zones must be distinct."
  }
}

variable "ssh_cidr_blocks" {
  description = "Address ranges allowed to reach the nodes over SSH (port 22)."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for c in var.ssh_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "Every entry of ssh_cidr_blocks must be a CIDR block, like \"203.0.113.0/24\"."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
