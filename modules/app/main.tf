# One app as futuswarm deployed it: a swarm service on the proxy's overlay network, reached
# through Docker Flow Proxy by the com.df.* labels, with DNS round-robin endpoints (the
# proxy balances, not the routing mesh), at most 3 restarts of a failing container, and its
# logs in CloudWatch under /<tag>/<name>.

locals {
  service_name = "${var.tag}-${var.name}"

  proxy_labels = merge(
    {
      "com.df.notify"      = "true"
      "com.df.distribute"  = "true"
      "com.df.servicePath" = var.path
      "com.df.port"        = tostring(var.port)
    },
    var.domain != null ? { "com.df.serviceDomain" = var.domain } : {},
  )
  labels = merge(var.labels, local.proxy_labels)

  # The names are not secret; their values are.
  secret_names = toset(nonsensitive(keys(var.secrets)))
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/${var.tag}/${var.name}"
  retention_in_days = var.log_retention_in_days

  tags = merge(var.tags, { swarm = var.tag, app = var.name })
}

# Swarm secrets cannot change: a new value is a new secret (the name carries a hash of it),
# made before the service moves to it and the old one is removed.
resource "docker_secret" "this" {
  for_each = local.secret_names

  name = "${local.service_name}-${each.key}-${substr(sha256(var.secrets[each.key]), 0, 8)}"
  data = base64encode(var.secrets[each.key])

  lifecycle {
    create_before_destroy = true
  }
}

resource "docker_volume" "this" {
  count = var.volume != null ? 1 : 0

  name        = local.service_name
  driver      = var.volume.driver
  driver_opts = length(var.volume.driver_opts) > 0 ? var.volume.driver_opts : null
}

resource "docker_service" "this" {
  name = local.service_name

  dynamic "labels" {
    for_each = local.labels
    content {
      label = labels.key
      value = labels.value
    }
  }

  task_spec {
    container_spec {
      image   = var.image
      command = var.command
      env     = length(var.env) > 0 ? var.env : null

      dynamic "secrets" {
        for_each = local.secret_names
        content {
          secret_id   = docker_secret.this[secrets.key].id
          secret_name = docker_secret.this[secrets.key].name
          file_name   = secrets.key
        }
      }

      dynamic "mounts" {
        for_each = docker_volume.this
        content {
          type   = "volume"
          source = mounts.value.name
          target = var.volume.path

          # So that a node the task moves to makes the volume with the same driver.
          volume_options {
            driver_name    = var.volume.driver
            driver_options = length(var.volume.driver_opts) > 0 ? var.volume.driver_opts : null
          }
        }
      }
    }

    dynamic "resources" {
      for_each = var.cpu_limit != null || var.memory_limit != null ? [1] : []
      content {
        limits {
          nano_cpus    = var.cpu_limit != null ? floor(var.cpu_limit * 1000000000) : null
          memory_bytes = var.memory_limit != null ? floor(var.memory_limit * 1048576) : null
        }
      }
    }

    restart_policy {
      condition    = "on-failure"
      max_attempts = var.restart_max_attempts
    }

    dynamic "placement" {
      for_each = length(var.constraints) > 0 ? [1] : []
      content {
        constraints = var.constraints
      }
    }

    networks_advanced {
      name = var.network_name
    }

    log_driver {
      name = var.log_driver
      options = var.log_driver == "awslogs" ? {
        "awslogs-group"  = aws_cloudwatch_log_group.this.name
        "awslogs-region" = var.region
      } : null
    }
  }

  mode {
    replicated {
      replicas = var.replicas
    }
  }

  endpoint_spec {
    mode = "dnsrr"
  }
}
