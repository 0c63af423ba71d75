output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "Address range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "subnet_ids" {
  description = "IDs of the public subnets, in the order of availability_zones."
  value       = aws_subnet.public[*].id
}

output "subnet_cidr_blocks" {
  description = "Address ranges of the public subnets, in the order of availability_zones."
  value       = aws_subnet.public[*].cidr_block
}

output "availability_zones" {
  description = "The availability zones of the subnets, in order."
  value       = var.availability_zones
}

output "internet_gateway_id" {
  description = "ID of the internet gateway."
  value       = aws_internet_gateway.this.id
}

output "route_table_id" {
  description = "ID of the public route table."
  value       = aws_route_table.public.id
}

output "cluster_security_group_id" {
  description = "ID of the swarm nodes' security group (data stores allow it in)."
  value       = aws_security_group.cluster.id
}

output "elb_security_group_id" {
  description = "ID of the load balancer's security group."
  value       = aws_security_group.elb.id
}
