output "network_name" {
  description = "Name of the overlay network apps join to be reachable through the proxy."
  value       = docker_network.proxy.name
}

output "network_id" {
  description = "ID of the overlay network."
  value       = docker_network.proxy.id
}

output "proxy_service_name" {
  description = "Name of the Docker Flow Proxy service."
  value       = docker_service.proxy.name
}

output "listener_service_name" {
  description = "Name of the Docker Flow Swarm Listener service."
  value       = docker_service.listener.name
}

output "log_group_names" {
  description = "CloudWatch log groups of the proxy and the listener."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "lb_dns_name" {
  description = "DNS name of the load balancer (null without one): point the apps' domains at it (CNAME or alias)."
  value       = one(aws_lb.this[*].dns_name)
}

output "lb_zone_id" {
  description = "Route 53 zone of the load balancer, for alias records (null without one)."
  value       = one(aws_lb.this[*].zone_id)
}

output "lb_arn" {
  description = "ARN of the load balancer (null without one)."
  value       = one(aws_lb.this[*].arn)
}

output "target_group_arn" {
  description = "ARN of the target group of the nodes (null without a load balancer)."
  value       = one(aws_lb_target_group.http[*].arn)
}

output "url" {
  description = "Base URL of the platform through the load balancer (null without one)."
  value       = var.load_balancer ? "${var.certificate_arn != null ? "https" : "http"}://${one(aws_lb.this[*].dns_name)}" : null
}
