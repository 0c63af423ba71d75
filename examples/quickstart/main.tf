# The quickstart: an application platform described with terrane's built-in
# `terraform_data` resource, so it plans and applies with local state and no cloud
# credentials. It lays out what the futuswarm platform needs — a VPC split into three
# subnets, swarm managers and workers, one database per app, the apps as services behind
# the proxy — and shows the language: variables with validation, locals, for_each, count,
# cidrsubnet, templates, sensitive values and outputs.

terraform {
  required_version = ">= 1.5"
}

variable "tag" {
  description = "Project tag; prefixes names and log groups."
  type        = string
  default     = "futuswarm"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.tag))
    error_message = "The tag must be 2-21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_cidr" {
  type    = string
  default = "172.16.12.0/22"
}

variable "managers" {
  type    = number
  default = 3
}

variable "workers" {
  type    = number
  default = 2
}

variable "apps" {
  description = "Apps deployed as swarm services behind the proxy."
  type = map(object({
    image    = string
    port     = number
    replicas = optional(number, 2)
    path     = optional(string, "/")
    database = optional(bool, false)
  }))
  default = {
    web = { image = "futurice/web:1.4.2", port = 8000, database = true }
    api = { image = "futurice/api:2.0.0", port = 8080, path = "/api" }
  }
}

variable "db_password" {
  type      = string
  default   = "change-me-in-tfvars"
  sensitive = true
}

locals {
  azs     = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  subnets = { for i, az in local.azs : az => cidrsubnet(var.vpc_cidr, 2, i) }
  nodes = concat(
    [for i in range(var.managers) : { name = format("%s-manager-%d", var.tag, i + 1), role = "manager" }],
    [for i in range(var.workers) : { name = format("%s-worker-%d", var.tag, i + 1), role = "worker" }],
  )
  databases = { for name, app in var.apps : name => app if app.database }
}

resource "terraform_data" "network" {
  input = {
    cidr    = var.vpc_cidr
    subnets = local.subnets
  }
}

resource "terraform_data" "node" {
  count = length(local.nodes)
  input = merge(local.nodes[count.index], {
    subnet = values(local.subnets)[count.index % length(local.azs)]
    vpc    = terraform_data.network.id
  })
}

resource "terraform_data" "database" {
  for_each = local.databases
  input = {
    identifier = "${var.tag}-${each.key}"
    engine     = "postgres"
    password   = var.db_password
  }
}

resource "terraform_data" "app" {
  for_each = var.apps
  input = {
    image    = each.value.image
    replicas = each.value.replicas
    labels = {
      "com.df.notify"      = "true"
      "com.df.distribute"  = "true"
      "com.df.servicePath" = each.value.path
      "com.df.port"        = tostring(each.value.port)
    }
    log_group = "/${var.tag}/${each.key}"
    database  = try(terraform_data.database[each.key].id, null)
  }
  triggers_replace = [each.value.image]
}

output "subnets" {
  value = local.subnets
}

output "managers" {
  value = [for n in local.nodes : n.name if n.role == "manager"]
}

output "app_log_groups" {
  value = { for name, app in terraform_data.app : name => app.output.log_group }
}
