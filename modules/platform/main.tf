# The futuswarm platform from one module: a VPC, a Docker Swarm on EC2, Docker Flow Proxy
# behind a load balancer, and an app per entry of `apps`, each with its own PostgreSQL and
# Redis when it asks for them, their URLs in its environment (DATABASE_URL, REDIS_URL).
#
# Give the root module's aws provider the same region, and point its docker provider at a
# manager (the docker_tunnel and docker_host outputs) once the cluster runs.

locals {
  availability_zones = var.availability_zones != null ? var.availability_zones : [for z in ["a", "b", "c"] : "${var.region}${z}"]

  databases = { for name, app in var.apps : name => app if app.database }
  caches    = { for name, app in var.apps : name => app if app.cache }

  database_urls = { for name, db in module.postgres : name => db.url }

  # Each database's password: the one given in db_passwords, else one generated here.
  db_passwords = { for name, _ in local.databases : name => lookup(var.db_passwords, name, random_password.db[name].result) }

  # The nodes' SSH key: the public key given, else an existing key pair by name, else a key
  # generated here (its private half is the ssh_private_key output).
  generate_ssh_key = var.cluster.ssh_public_key == null && var.cluster.key_name == null
  ssh_public_key   = local.generate_ssh_key ? tls_private_key.ssh[0].public_key_openssh : var.cluster.ssh_public_key
  cache_urls    = { for name, cache in module.redis : name => cache.url }

  scheme = var.proxy.certificate_arn != null ? "https" : "http"

  tags = merge(var.tags, { platform = var.tag })
}

# A password per database (RDS accepts any printable ASCII but /, ", @ and spaces), kept in
# the state only: the plan shows "(sensitive value)". It reaches the app as DATABASE_URL and
# as the swarm secret db_password.
resource "random_password" "db" {
  for_each = local.databases

  length           = 32
  override_special = "!#$%&*()-_=+[]{}<>:?"
}

resource "tls_private_key" "ssh" {
  count = local.generate_ssh_key ? 1 : 0

  algorithm = "ED25519"
}

module "network" {
  source = "../network"

  tag                = var.tag
  cidr_block         = var.vpc_cidr
  availability_zones = local.availability_zones
  ssh_cidr_blocks    = var.ssh_cidr_blocks
  tags               = local.tags
}

module "cluster" {
  source = "../swarm-cluster"

  tag                   = var.tag
  subnet_ids            = module.network.subnet_ids
  security_group_ids    = [module.network.cluster_security_group_id]
  managers              = var.cluster.managers
  workers               = var.cluster.workers
  manager_instance_type = var.cluster.manager_instance_type
  worker_instance_type  = var.cluster.worker_instance_type
  ami_id                = var.cluster.ami_id
  ssh_public_key        = local.ssh_public_key
  create_key_pair       = var.cluster.key_name == null
  key_name              = var.cluster.key_name
  ssh_user              = var.cluster.ssh_user
  root_volume_size      = var.cluster.root_volume_size
  node_labels           = var.cluster.node_labels
  ebs_volumes           = var.cluster.ebs_volumes
  tags                  = local.tags
}

module "proxy" {
  source = "../proxy"

  tag                   = var.tag
  region                = var.region
  network_name          = var.proxy.network_name
  image                 = var.proxy.image
  listener_image        = var.proxy.listener_image
  command               = var.proxy.command
  listener_command      = var.proxy.listener_command
  replicas              = var.proxy.replicas
  http_port             = var.proxy.http_port
  https_port            = var.proxy.https_port
  env                   = var.proxy.env
  log_driver            = var.logs.driver
  log_retention_in_days = var.logs.retention_in_days

  load_balancer        = var.proxy.load_balancer
  vpc_id               = module.network.vpc_id
  subnet_ids           = module.network.subnet_ids
  security_group_ids   = [module.network.elb_security_group_id]
  targets              = module.cluster.instance_ids
  certificate_arn      = var.proxy.certificate_arn
  health_check_path    = var.proxy.health_check_path
  health_check_matcher = var.proxy.health_check_matcher
  tags                 = local.tags

  # The services need the swarm: on AWS, its nodes come first (and go last).
  depends_on = [module.cluster]
}

module "postgres" {
  source   = "../postgres"
  for_each = local.databases

  tag                        = var.tag
  name                       = each.key
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.subnet_ids
  allowed_security_group_ids = [module.network.cluster_security_group_id]
  password                   = local.db_passwords[each.key]

  engine_version          = var.postgres.engine_version
  instance_class          = var.postgres.instance_class
  allocated_storage       = var.postgres.allocated_storage
  storage_encrypted       = var.postgres.storage_encrypted
  multi_az                = var.postgres.multi_az
  backup_retention_period = var.postgres.backup_retention_period
  backup_window           = var.postgres.backup_window
  maintenance_window      = var.postgres.maintenance_window
  deletion_protection     = var.postgres.deletion_protection
  skip_final_snapshot     = var.postgres.skip_final_snapshot
  apply_immediately       = var.postgres.apply_immediately
  tags                    = local.tags
}

module "redis" {
  source   = "../redis"
  for_each = local.caches

  tag                        = var.tag
  name                       = each.key
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.subnet_ids
  allowed_security_group_ids = [module.network.cluster_security_group_id]

  engine_version           = var.redis.engine_version
  node_type                = var.redis.node_type
  maintenance_window       = var.redis.maintenance_window
  snapshot_retention_limit = var.redis.snapshot_retention_limit
  apply_immediately        = var.redis.apply_immediately
  tags                     = local.tags
}

module "app" {
  source   = "../app"
  for_each = var.apps

  tag          = var.tag
  name         = each.key
  region       = var.region
  image        = each.value.image
  command      = each.value.command
  port         = each.value.port
  path         = each.value.path
  domain       = each.value.domain
  replicas     = each.value.replicas
  constraints  = each.value.constraints
  cpu_limit    = each.value.cpu_limit
  memory_limit = each.value.memory_limit
  labels       = each.value.labels
  volume       = each.value.volume
  network_name = module.proxy.network_name
  secrets = merge(
    lookup(var.secrets, each.key, {}),
    contains(keys(local.databases), each.key) ? { db_password = local.db_passwords[each.key] } : {},
  )

  # The app's own environment, and the URLs of its data stores.
  env = merge(
    each.value.env,
    { for name, url in local.database_urls : "DATABASE_URL" => url if name == each.key },
    { for name, url in local.cache_urls : "REDIS_URL" => url if name == each.key && url != null },
  )

  log_driver            = var.logs.driver
  log_retention_in_days = var.logs.retention_in_days
  tags                  = local.tags
}
