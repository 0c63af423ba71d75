output "identifier" {
  description = "RDS identifier of the database (<tag>-<name>)."
  value       = aws_db_instance.this.identifier
}

output "address" {
  description = "Host name of the database."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the database."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Name of the database."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "Master user name."
  value       = aws_db_instance.this.username
}

output "url" {
  description = "postgres://user:password@host:port/db, for the app's DATABASE_URL."
  value       = "postgres://${aws_db_instance.this.username}:${urlencode(var.password)}@${aws_db_instance.this.address}:${aws_db_instance.this.port}/${aws_db_instance.this.db_name}"
  sensitive   = true
}

output "security_group_id" {
  description = "ID of the database's security group."
  value       = aws_security_group.this.id
}

output "arn" {
  description = "ARN of the database."
  value       = aws_db_instance.this.arn
}
