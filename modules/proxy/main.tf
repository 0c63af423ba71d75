# The platform's front door, as futuswarm ran it: the `proxy` overlay network that every app
# joins, Docker Flow Proxy publishing 80 and 443 on every node through the routing mesh, and
# Docker Flow Swarm Listener on a manager telling the proxy when a service labelled
# com.df.notify=true comes or goes. A load balancer in front of the nodes takes HTTP, and
# HTTPS with an ACM certificate, to the proxy.

locals {
  proxy_name    = "${var.tag}-proxy"
  listener_name = "${var.tag}-swarm-listener"
  awslogs       = var.log_driver == "awslogs"
}

resource "docker_network" "proxy" {
  name       = var.network_name
  driver     = "overlay"
  attachable = true
}

# Created even when the services log elsewhere, so switching the driver needs no other change.
resource "aws_cloudwatch_log_group" "this" {
  for_each = toset(["proxy", "swarm-listener"])

  name              = "/${var.tag}/${each.key}"
  retention_in_days = var.log_retention_in_days

  tags = merge(var.tags, { swarm = var.tag })
}

resource "docker_service" "proxy" {
  name = local.proxy_name

  task_spec {
    container_spec {
      image   = var.image
      command = var.command
      env = merge(var.env, {
        LISTENER_ADDRESS = local.listener_name
        MODE             = "swarm"
        SERVICE_NAME     = local.proxy_name
      })
    }

    restart_policy {
      condition    = "any"
      max_attempts = 0
    }

    networks_advanced {
      name = docker_network.proxy.name
    }

    log_driver {
      name = var.log_driver
      options = local.awslogs ? {
        "awslogs-group"  = aws_cloudwatch_log_group.this["proxy"].name
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
    mode = "vip"

    ports {
      name           = "http"
      target_port    = 80
      published_port = var.http_port
    }

    ports {
      name           = "https"
      target_port    = 443
      published_port = var.https_port
    }
  }
}

resource "docker_service" "listener" {
  name = local.listener_name

  task_spec {
    container_spec {
      image   = var.listener_image
      command = var.listener_command
      env = {
        DF_NOTIFY_CREATE_SERVICE_URL = "http://${local.proxy_name}:8080/v1/docker-flow-proxy/reconfigure"
        DF_NOTIFY_REMOVE_SERVICE_URL = "http://${local.proxy_name}:8080/v1/docker-flow-proxy/remove"
      }

      mounts {
        type   = "bind"
        source = "/var/run/docker.sock"
        target = "/var/run/docker.sock"
      }
    }

    restart_policy {
      condition    = "any"
      max_attempts = 0
    }

    placement {
      constraints = ["node.role == manager"]
    }

    networks_advanced {
      name = docker_network.proxy.name
    }

    log_driver {
      name = var.log_driver
      options = local.awslogs ? {
        "awslogs-group"  = aws_cloudwatch_log_group.this["swarm-listener"].name
        "awslogs-region" = var.region
      } : null
    }
  }

  mode {
    replicated {
      replicas = 1
    }
  }
}

# ---- the load balancer in front of the nodes ----

resource "aws_lb" "this" {
  count = var.load_balancer ? 1 : 0

  name               = var.tag
  load_balancer_type = "application"
  internal           = false
  security_groups    = var.security_group_ids
  subnets            = var.subnet_ids

  tags = merge(var.tags, { swarm = var.tag, Name = var.tag })

  lifecycle {
    precondition {
      condition     = var.vpc_id != null && length(var.subnet_ids) >= 2 && length(var.security_group_ids) >= 1
      error_message = "The load balancer needs vpc_id, subnet_ids in two availability zones at least, and security_group_ids; or set load_balancer = false."
    }
  }
}

resource "aws_lb_target_group" "http" {
  count = var.load_balancer ? 1 : 0

  name        = "${var.tag}-http"
  port        = var.http_port
  protocol    = "HTTP"
  vpc_id      = var.vpc_id
  target_type = "instance"

  health_check {
    path    = var.health_check_path
    matcher = var.health_check_matcher
  }

  tags = merge(var.tags, { swarm = var.tag })
}

# Every node: the routing mesh takes http_port to a proxy container wherever it runs.
resource "aws_lb_target_group_attachment" "node" {
  for_each = var.load_balancer ? var.targets : {}

  target_group_arn = aws_lb_target_group.http[0].arn
  target_id        = each.value
  port             = var.http_port
}

resource "aws_lb_listener" "http" {
  count = var.load_balancer ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.http[0].arn
  }

  tags = merge(var.tags, { swarm = var.tag })
}

resource "aws_lb_listener" "https" {
  count = var.load_balancer && var.certificate_arn != null ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.http[0].arn
  }

  tags = merge(var.tags, { swarm = var.tag })
}
