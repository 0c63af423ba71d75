# The quickstart: apps on a Docker Swarm, behind the platform's `proxy` overlay network,
# with local state. `terrane plan` needs no running daemon while the state is empty;
# `terrane apply` deploys onto the swarm DOCKER_HOST points at (or the local socket).
#
#   terrane plan
#   terrane apply -auto-approve
#   curl http://127.0.0.1:8080/
#   terrane destroy -auto-approve

terraform {
  required_version = ">= 1.5"
  required_providers {
    docker = {
      source = "kreuzwerker/docker"
    }
  }
}

provider "docker" {}

variable "tag" {
  description = "Project tag: prefixes every name."
  type        = string
  default     = "quickstart"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.tag))
    error_message = "The tag must be 2-21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "apps" {
  description = "Apps deployed as swarm services behind the proxy."
  type = map(object({
    image     = string
    command   = optional(list(string))
    port      = number
    host_port = number
    replicas  = optional(number, 1)
    path      = optional(string, "/")
    env       = optional(map(string), {})
  }))
  default = {
    hello = {
      image     = "nginx:1.27-alpine"
      port      = 80
      host_port = 8080
      env       = { GREETING = "hello from terrane" }
    }
  }
}

variable "api_token" {
  description = "A secret every app can read at /run/secrets/api_token."
  type        = string
  default     = "change-me"
  sensitive   = true
}

resource "docker_network" "proxy" {
  name       = "${var.tag}-proxy"
  driver     = "overlay"
  attachable = true
}

resource "docker_secret" "api_token" {
  name = "${var.tag}-api-token-${substr(sha256(var.api_token), 0, 8)}"
  data = base64encode(var.api_token)

  lifecycle {
    create_before_destroy = true
  }
}

resource "docker_service" "app" {
  for_each = var.apps
  name     = "${var.tag}-${each.key}"

  labels {
    label = "com.df.notify"
    value = "true"
  }
  labels {
    label = "com.df.servicePath"
    value = each.value.path
  }
  labels {
    label = "com.df.port"
    value = tostring(each.value.port)
  }

  task_spec {
    container_spec {
      image   = each.value.image
      command = each.value.command
      env     = each.value.env

      secrets {
        secret_id   = docker_secret.api_token.id
        secret_name = docker_secret.api_token.name
        file_name   = "api_token"
      }
    }
    restart_policy {
      condition    = "on-failure"
      max_attempts = 3
    }
    networks_advanced {
      name = docker_network.proxy.name
    }
  }

  mode {
    replicated {
      replicas = each.value.replicas
    }
  }

  endpoint_spec {
    mode = "dnsrr"
    ports {
      target_port    = each.value.port
      published_port = each.value.host_port
      publish_mode   = "host"
    }
  }

  converge_config {
    timeout = "2m"
  }
}

output "urls" {
  value = { for name, app in var.apps : name => "http://127.0.0.1:${app.host_port}${app.path}" }
}
