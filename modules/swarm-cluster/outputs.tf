output "manager_ids" {
  description = "Instance IDs of the managers; the first one is the leader that initialised the swarm."
  value       = local.managers[*].id
}

output "manager_private_ips" {
  description = "Private addresses of the managers."
  value       = local.managers[*].private_ip
}

output "manager_public_ips" {
  description = "Public addresses of the managers: where the Docker provider reaches the swarm (over SSH, see docker_tunnel)."
  value       = local.managers[*].public_ip
}

output "worker_ids" {
  description = "Instance IDs of the workers."
  value       = aws_instance.worker[*].id
}

output "worker_private_ips" {
  description = "Private addresses of the workers."
  value       = aws_instance.worker[*].private_ip
}

output "worker_public_ips" {
  description = "Public addresses of the workers."
  value       = aws_instance.worker[*].public_ip
}

output "instance_ids" {
  description = "Every node's instance ID by a stable name (manager-0, manager-1, ..., worker-0, ...): load balancer targets."
  value = merge(
    { for i, m in local.managers : "manager-${i}" => m.id },
    { for i, w in aws_instance.worker : "worker-${i}" => w.id },
  )
}

output "leader_public_ip" {
  description = "Public address of the first manager."
  value       = aws_instance.leader.public_ip
}

output "docker_tunnel" {
  description = "Command that forwards the first manager's Docker socket to a local socket over SSH; point the Docker provider at docker_host while it runs."
  value       = "ssh -nNT -L /tmp/${var.tag}-docker.sock:/var/run/docker.sock ${var.ssh_user}@${aws_instance.leader.public_ip}"
}

output "docker_host" {
  description = "The Docker provider's host while docker_tunnel runs."
  value       = "unix:///tmp/${var.tag}-docker.sock"
}

output "ami_id" {
  description = "The AMI the nodes were made from."
  value       = local.ami_id
}

output "key_name" {
  description = "The EC2 key pair of the nodes (null: none)."
  value       = local.key_name
}

output "iam_role_name" {
  description = "The nodes' IAM role: attach more policies to it for what your apps' Docker daemons need."
  value       = aws_iam_role.node.name
}

output "instance_profile_name" {
  description = "The nodes' instance profile."
  value       = aws_iam_instance_profile.node.name
}
