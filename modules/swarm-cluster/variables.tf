variable "tag" {
  description = "Project tag: names and tags every resource (the platform's `tag`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.tag)) && length(var.tag) >= 2 && length(var.tag) <= 20
    error_message = "The tag must be 2-20 lowercase letters, digits and single dashes, starting with a letter and not ending with a dash."
  }
}

variable "subnet_ids" {
  description = "Subnets the nodes are spread over, round-robin (manager i and worker i go to subnet i mod n)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "Give at least one subnet ID."
  }
}

variable "security_group_ids" {
  description = "Security groups of every node (the network module's cluster group)."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) >= 1
    error_message = "Give at least one security group ID: the nodes must reach each other on the swarm ports (2377, 7946, 4789)."
  }
}

variable "managers" {
  description = "Number of swarm managers. The first one initialises the swarm; the others join it."
  type        = number
  default     = 3

  validation {
    condition     = var.managers >= 1 && var.managers <= 7 && var.managers % 2 == 1
    error_message = "Use an odd number of managers from 1 to 7 (1, 3, 5 or 7): the swarm's Raft consensus needs a majority of them, and an even number adds no fault tolerance."
  }
}

variable "workers" {
  description = "Number of swarm workers."
  type        = number
  default     = 3

  validation {
    condition     = var.workers >= 0 && var.workers <= 100 && floor(var.workers) == var.workers
    error_message = "The number of workers must be a whole number from 0 to 100."
  }
}

variable "manager_instance_type" {
  description = "EC2 instance type of the managers."
  type        = string
  default     = "m4.large"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.manager_instance_type))
    error_message = "The manager_instance_type must be an EC2 instance type, like \"m4.large\"."
  }
}

variable "worker_instance_type" {
  description = "EC2 instance type of the workers."
  type        = string
  default     = "m4.large"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.worker_instance_type))
    error_message = "The worker_instance_type must be an EC2 instance type, like \"m4.large\"."
  }
}

variable "ami_id" {
  description = "AMI of the nodes (an Ubuntu with cloud-init, apt and python3). Null looks up the latest Ubuntu 24.04 LTS from Canonical, which needs AWS credentials at plan time."
  type        = string
  default     = null

  validation {
    condition     = var.ami_id == null || can(regex("^ami-[0-9a-f]+$", var.ami_id))
    error_message = "The ami_id must be an AMI ID like \"ami-0123456789abcdef0\", or null to use the latest Ubuntu LTS."
  }
}

variable "ssh_public_key" {
  description = "An SSH public key to log in to the nodes with (a key pair named after the tag is made). Null uses key_name instead."
  type        = string
  default     = null

  validation {
    condition     = var.ssh_public_key == null || can(regex("^(ssh-(rsa|ed25519)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+", var.ssh_public_key))
    error_message = "The ssh_public_key must be an OpenSSH public key (ssh-ed25519 AAAA..., ssh-rsa AAAA... or ecdsa-sha2-nistp256 AAAA...), as in ~/.ssh/id_ed25519.pub."
  }
}

variable "create_key_pair" {
  description = "Whether to make a key pair of ssh_public_key. Null: when ssh_public_key is set; give true when the key is made in the same apply (a tls_private_key), whose value is not known at plan."
  type        = bool
  default     = null
}

variable "key_name" {
  description = "Name of an existing EC2 key pair, used when ssh_public_key is null. Null: no SSH key on the nodes."
  type        = string
  default     = null
}

variable "ssh_user" {
  description = "The login user of the AMI, for the SSH tunnel command in the outputs."
  type        = string
  default     = "ubuntu"
}

variable "root_volume_size" {
  description = "Size of each node's root volume in GiB (images, containers and local volumes live there)."
  type        = number
  default     = 30

  validation {
    condition     = var.root_volume_size >= 8 && var.root_volume_size <= 16384
    error_message = "The root_volume_size must be between 8 and 16384 GiB."
  }
}

variable "node_labels" {
  description = "Labels of every node's Docker engine, for placement constraints such as engine.labels.tier == web. Each node also gets role = manager or worker."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.node_labels : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]*$", k)) && !strcontains(v, "\"")])
    error_message = "Node label names must be letters, digits, dots, dashes and underscores, and values may not contain double quotes."
  }
}

variable "ebs_volumes" {
  description = "Install the rexray/ebs Docker volume plugin on every node and let the nodes manage EBS volumes, for apps with persistent volumes (as futuswarm did)."
  type        = bool
  default     = false
}

variable "token_port" {
  description = "Port on which the first manager hands out the swarm join tokens to the other nodes while they join (inside the cluster security group only)."
  type        = number
  default     = 8899

  validation {
    condition     = var.token_port >= 1024 && var.token_port <= 65535 && !contains([2377, 4789, 7946], var.token_port)
    error_message = "The token_port must be from 1024 to 65535 and not a swarm port (2377, 4789, 7946)."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
