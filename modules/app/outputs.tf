output "service_id" {
  description = "ID of the swarm service."
  value       = docker_service.this.id
}

output "service_name" {
  description = "Name of the swarm service (<tag>-<name>): its DNS name on the proxy network."
  value       = docker_service.this.name
}

output "image" {
  description = "The image (and release tag) the service runs."
  value       = var.image
}

output "path" {
  description = "Path prefix the proxy routes to the app."
  value       = var.path
}

output "domain" {
  description = "Host name the proxy routes to the app (null: any)."
  value       = var.domain
}

output "labels" {
  description = "The service's labels, Docker Flow Proxy's included."
  value       = local.labels
}

output "log_group_name" {
  description = "CloudWatch log group of the app."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the app's log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "secret_names" {
  description = "Names of the app's swarm secrets, by the file name under /run/secrets (sensitive: each carries a hash of its value)."
  value       = { for k, s in docker_secret.this : k => s.name }
  sensitive   = true
}

output "volume_name" {
  description = "Name of the app's volume (null: none)."
  value       = one(docker_volume.this[*].name)
}
