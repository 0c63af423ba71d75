# The futuswarm platform on AWS: a Docker Swarm behind Docker Flow Proxy and two apps, `web`,
# and `api` with its own PostgreSQL and Redis. README.md: how to run it, and how the tests do.
terraform {
  required_providers {
    aws    = { source = "hashicorp/aws" }
    docker = { source = "kreuzwerker/docker" }
  }
}

variable "tag" { default = "futuswarm" } # names every resource, e.g. the futuswarm-api service
variable "region" { default = "eu-west-1" }
variable "aws_endpoint" { default = null }                         # one endpoint for every AWS API, e.g. moto's
variable "docker_host" { default = "unix:///var/run/docker.sock" } # a manager (the docker_tunnel output)
variable "db_password" { # the api's database password; null: generated (random_password)
  sensitive = true
  default   = null
}
variable "overrides" {
  description = "Settings over the defaults: platform groups (cluster, proxy, postgres, redis, logs) and apps by name."
  type        = any
  default     = {}
}

provider "aws" {
  region                      = var.region
  skip_credentials_validation = var.aws_endpoint != null
  endpoints {
    ec2         = var.aws_endpoint
    elb         = var.aws_endpoint
    elbv2       = var.aws_endpoint
    rds         = var.aws_endpoint
    elasticache = var.aws_endpoint
    logs        = var.aws_endpoint
    iam         = var.aws_endpoint
    sts         = var.aws_endpoint
  }
}

provider "docker" { host = var.docker_host }

module "platform" {
  source       = "../../modules/platform"
  tag          = var.tag
  region       = var.region
  db_passwords = var.db_password == null ? {} : { api = var.db_password }
  cluster      = try(var.overrides.cluster, {})
  proxy        = try(var.overrides.proxy, {})
  postgres     = try(var.overrides.postgres, {})
  redis        = try(var.overrides.redis, {})
  logs         = try(var.overrides.logs, {})
  apps = { for name, app in {
    web = { image = "nginx:1.27-alpine", replicas = 2 }
    api = { image = "traefik/whoami:v1.10", path = "/api", database = true, cache = true }
  } : name => merge(app, try(var.overrides.apps[name], {})) }
}

output "url" { value = module.platform.url }
output "apps" { value = module.platform.apps }
output "docker_tunnel" { value = module.platform.docker_tunnel }
output "ssh_private_key" {
  value     = module.platform.ssh_private_key
  sensitive = true
}
