# An app's Redis, as futuswarm gave each app that asked for one: a single-node ElastiCache
# cluster in the platform's subnets, reachable only from the swarm nodes.

locals {
  cluster_id = "${var.tag}-${var.name}"
  tags       = merge(var.tags, { swarm = var.tag, app = var.name })
}

resource "aws_elasticache_subnet_group" "this" {
  name        = "${local.cluster_id}-redis"
  description = "${local.cluster_id} Redis"
  subnet_ids  = var.subnet_ids

  tags = local.tags
}

resource "aws_security_group" "this" {
  name        = "${local.cluster_id}-redis"
  description = "${local.cluster_id} Redis: ${var.port} from the swarm"
  vpc_id      = var.vpc_id

  ingress {
    description     = "Redis from the swarm"
    from_port       = var.port
    to_port         = var.port
    protocol        = "tcp"
    security_groups = var.allowed_security_group_ids
  }

  tags = merge(local.tags, { Name = "${local.cluster_id}-redis" })
}

resource "aws_elasticache_cluster" "this" {
  cluster_id        = local.cluster_id
  engine            = "redis"
  engine_version    = var.engine_version
  node_type         = var.node_type
  num_cache_nodes   = var.num_cache_nodes
  az_mode           = var.az_mode
  availability_zone = var.availability_zone
  port              = var.port

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [aws_security_group.this.id]

  maintenance_window       = var.maintenance_window
  snapshot_retention_limit = var.snapshot_retention_limit
  apply_immediately        = var.apply_immediately

  tags = local.tags
}
