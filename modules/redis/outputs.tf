output "cluster_id" {
  description = "ElastiCache cluster ID (<tag>-<name>)."
  value       = aws_elasticache_cluster.this.cluster_id
}

output "address" {
  description = "Host name of the cache node (null while the API reports no node, as local emulators do)."
  value       = try(aws_elasticache_cluster.this.cache_nodes[0].address, null)
}

output "port" {
  description = "Port of the cache."
  value       = var.port
}

output "url" {
  description = "redis://host:port, for the app's REDIS_URL (null while the node's address is not reported)."
  value       = try("redis://${aws_elasticache_cluster.this.cache_nodes[0].address}:${var.port}", null)
}

output "security_group_id" {
  description = "ID of the cache's security group."
  value       = aws_security_group.this.id
}

output "arn" {
  description = "ARN of the cache cluster."
  value       = aws_elasticache_cluster.this.arn
}
