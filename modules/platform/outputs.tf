output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "subnet_ids" {
  description = "IDs of the public subnets."
  value       = module.network.subnet_ids
}

output "cluster_security_group_id" {
  description = "ID of the swarm nodes' security group."
  value       = module.network.cluster_security_group_id
}

output "manager_public_ips" {
  description = "Public addresses of the swarm managers, the first one first."
  value       = module.cluster.manager_public_ips
}

output "worker_public_ips" {
  description = "Public addresses of the swarm workers."
  value       = module.cluster.worker_public_ips
}

output "docker_tunnel" {
  description = "Run this to reach the swarm: it forwards the first manager's Docker socket over SSH."
  value       = module.cluster.docker_tunnel
}

output "docker_host" {
  description = "The docker provider's host while docker_tunnel runs."
  value       = module.cluster.docker_host
}

output "lb_dns_name" {
  description = "DNS name of the load balancer: point the apps' domains at it."
  value       = module.proxy.lb_dns_name
}

output "url" {
  description = "Base URL of the platform through the load balancer."
  value       = module.proxy.url
}

output "apps" {
  description = "Each app's service, image, route and log group."
  value = {
    for name, app in module.app : name => {
      service   = app.service_name
      image     = app.image
      path      = app.path
      domain    = app.domain
      url       = app.domain != null ? "${local.scheme}://${app.domain}${app.path}" : (var.proxy.load_balancer ? "${module.proxy.url}${app.path}" : null)
      log_group = app.log_group_name
    }
  }
}

output "databases" {
  description = "Each app's PostgreSQL: host, port, database and user (the password is in db_passwords)."
  value = {
    for name, db in module.postgres : name => {
      address  = db.address
      port     = db.port
      db_name  = db.db_name
      username = db.username
    }
  }
}

output "database_urls" {
  description = "Each app's DATABASE_URL, password included."
  value       = local.database_urls
  sensitive   = true
}

output "caches" {
  description = "Each app's Redis URL."
  value       = local.cache_urls
}

output "ssh_private_key" {
  description = "The private half of the SSH key generated for the nodes (OpenSSH format), when neither cluster.ssh_public_key nor cluster.key_name is given: terrane output -raw ssh_private_key > key && chmod 600 key."
  value       = one(tls_private_key.ssh[*].private_key_openssh)
  sensitive   = true
}
