# A new project on the futuswarm platform: copy this directory, set the tag and your apps,
# then follow README.md (terrane init, plan, apply).

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
    docker = {
      source = "kreuzwerker/docker"
    }
  }

  # The state stays in terraform.tfstate, next to this file, until someone else works on the
  # project too. Then keep it in S3 (locked with a lock object, encrypted): uncomment the
  # block and move the state there, naming the bucket and key at init time:
  #
  #   terrane init -migrate-state \
  #     -backend-config="bucket=my-terrane-state" \
  #     -backend-config="key=my-project/terraform.tfstate" \
  #     -backend-config="region=eu-west-1"
  #
  # backend "s3" {
  #   encrypt      = true
  #   use_lockfile = true
  # }
}

locals {
  # Names everything: services <tag>-<app>, log groups /<tag>/<app>, the <tag> load balancer.
  tag = "my-project"
}

variable "region" {
  description = "AWS region of the platform."
  type        = string
  default     = "eu-west-1"
}

variable "docker_host" {
  description = "Docker daemon of a swarm manager. Null: the socket the docker_tunnel output's command forwards a manager's daemon to."
  type        = string
  default     = null
}

variable "ssh_public_key" {
  description = "Your SSH public key (the contents of ~/.ssh/id_ed25519.pub), to reach the nodes and their Docker. Null: a key is generated (tls_private_key); its private half is the ssh_private_key output."
  type        = string
  default     = null
}

variable "db_passwords" {
  description = "Password of each app's database, by app name; an app with none gets one generated (random_password, kept in the state). Keep them out of git: TF_VAR_db_passwords='{web=\"...\"}', or a secrets.auto.tfvars listed in .gitignore."
  type        = map(string)
  default     = {}
  sensitive   = true
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project   = local.tag
      ManagedBy = "terrane"
    }
  }
}

provider "docker" {
  host = var.docker_host != null ? var.docker_host : "unix:///tmp/${local.tag}-docker.sock"
}

module "platform" {
  # Where terrane's modules/ directory is, relative to this file. Or, published to a module
  # registry (the public one, GitLab, Artifactory, Terraform Cloud/Enterprise), by address and
  # version, installed by `terrane init` (credentials: a `credentials` block of
  # ~/.terraformrc, or TF_TOKEN_<host>):
  #
  #   source  = "registry.example.com/acme/platform/aws"
  #   version = "~> 1.4"
  source = "../../modules/platform"

  tag    = local.tag
  region = var.region

  cluster = {
    managers       = 3
    workers        = 2
    ssh_public_key = var.ssh_public_key
  }

  proxy = {
    # An ACM certificate ARN adds HTTPS on 443 to the load balancer.
    certificate_arn = null
  }

  apps = {
    web = {
      image = "nginx:1.27-alpine" # the release: change the tag to deploy
      port  = 80                  # where the app listens in its container
      path  = "/"                 # what the proxy routes to it
      # domain   = "www.example.com" # ...on this host only (point it at the lb_dns_name output)
      replicas = 2
      env = {
        APP_ENV = "production"
      }
      # database = true # a PostgreSQL of its own, as DATABASE_URL (its password generated unless db_passwords["web"] is set)
      # cache    = true # a Redis of its own, as REDIS_URL
    }
  }

  db_passwords = var.db_passwords
}

output "url" {
  description = "The platform through its load balancer."
  value       = module.platform.url
}

output "apps" {
  description = "Each app's service, image, route and log group."
  value       = module.platform.apps
}

output "manager_public_ips" {
  description = "The swarm managers."
  value       = module.platform.manager_public_ips
}

output "docker_tunnel" {
  description = "Run this (and leave it running) to reach the swarm's Docker."
  value       = module.platform.docker_tunnel
}

output "ssh_private_key" {
  description = "The generated SSH key's private half, when ssh_public_key is null: terrane output -raw ssh_private_key > key && chmod 600 key."
  value       = module.platform.ssh_private_key
  sensitive   = true
}
