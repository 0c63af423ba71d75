# An app's PostgreSQL, as futuswarm gave each app that asked for one: an RDS instance in the
# platform's subnets, reachable only from the swarm nodes on 5432, with backups, fixed
# maintenance and backup windows, and deletion protection on by default.

locals {
  identifier = "${var.tag}-${var.name}"
  db_name    = coalesce(var.db_name, replace(var.name, "-", "_"))
  tags       = merge(var.tags, { swarm = var.tag, app = var.name })
}

resource "aws_db_subnet_group" "this" {
  name        = "${local.identifier}-postgres"
  description = "${local.identifier} PostgreSQL"
  subnet_ids  = var.subnet_ids

  tags = local.tags
}

resource "aws_security_group" "this" {
  name        = "${local.identifier}-postgres"
  description = "${local.identifier} PostgreSQL: 5432 from the swarm"
  vpc_id      = var.vpc_id

  ingress {
    description     = "PostgreSQL from the swarm"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = var.allowed_security_group_ids
  }

  tags = merge(local.tags, { Name = "${local.identifier}-postgres" })
}

resource "aws_db_instance" "this" {
  identifier     = local.identifier
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class

  allocated_storage = var.allocated_storage
  storage_encrypted = var.storage_encrypted

  db_name  = local.db_name
  username = var.username
  password = var.password
  port     = 5432

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [aws_security_group.this.id]
  publicly_accessible    = false
  multi_az               = var.multi_az

  backup_retention_period = var.backup_retention_period
  backup_window           = var.backup_window
  maintenance_window      = var.maintenance_window
  apply_immediately       = var.apply_immediately

  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = var.skip_final_snapshot
  final_snapshot_identifier = var.skip_final_snapshot ? null : "${local.identifier}-final"

  tags = local.tags
}
