# The swarm's machines, as futuswarm ran them: managers and workers as EC2 instances in the
# public subnets, each installing Docker from its user data. The first manager (the leader)
# initialises the swarm and hands the join tokens to the other nodes while they join; every
# node labels its engine (role = manager | worker, plus node_labels). The nodes' IAM role
# lets their Docker daemons write container logs to CloudWatch (the awslogs driver).

locals {
  tags = merge(var.tags, { swarm = var.tag })

  ami_id   = var.ami_id != null ? var.ami_id : one(data.aws_ami.ubuntu[*].id)
  # Decided from what is known at plan: a public key made in the same apply is not.
  create_key_pair = var.create_key_pair != null ? var.create_key_pair : var.ssh_public_key != null
  key_name        = local.create_key_pair ? one(aws_key_pair.this[*].key_name) : var.key_name

  user_data = {
    for role in ["leader", "manager", "worker"] : role => {
      role        = role
      token_port  = var.token_port
      nodes       = var.managers + var.workers
      ebs_volumes = var.ebs_volumes
      ssh_user    = var.ssh_user
      leader_ip   = ""
      node_labels = [
        for k, v in merge(var.node_labels, { role = role == "worker" ? "worker" : "manager" }) : "${k}=${v}"
      ]
    }
  }
}

# The latest Ubuntu 24.04 LTS from Canonical, unless ami_id is given.
data "aws_ami" "ubuntu" {
  count = var.ami_id == null ? 1 : 0

  owners      = ["099720109477"]
  most_recent = true

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd*/ubuntu-noble-24.04-amd64-server-*"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

resource "aws_key_pair" "this" {
  count = local.create_key_pair ? 1 : 0

  key_name   = var.tag
  public_key = var.ssh_public_key

  tags = local.tags
}

# ---- IAM: what the nodes' Docker daemons may do ----

resource "aws_iam_role" "node" {
  name        = "${var.tag}-swarm-node"
  description = "${var.tag} swarm nodes"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = local.tags
}

# The awslogs log driver: streams in the platform's log groups, /<tag>/<app>.
resource "aws_iam_role_policy" "logs" {
  name = "cloudwatch-logs"
  role = aws_iam_role.node.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "arn:aws:logs:*:*:log-group:/${var.tag}/*"
    }]
  })
}

# The rexray/ebs volume plugin: EBS volumes that follow a service's task between nodes.
resource "aws_iam_role_policy" "ebs" {
  count = var.ebs_volumes ? 1 : 0

  name = "ebs-volumes"
  role = aws_iam_role.node.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "ec2:AttachVolume", "ec2:CreateVolume", "ec2:DeleteVolume", "ec2:DetachVolume", "ec2:ModifyVolume",
        "ec2:CreateSnapshot", "ec2:DeleteSnapshot", "ec2:CreateTags", "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInstances", "ec2:DescribeSnapshots", "ec2:DescribeTags", "ec2:DescribeVolumes",
        "ec2:DescribeVolumeAttribute", "ec2:DescribeVolumeStatus",
      ]
      Resource = "*"
    }]
  })
}

resource "aws_iam_instance_profile" "node" {
  name = "${var.tag}-swarm-node"
  role = aws_iam_role.node.name

  tags = local.tags
}

# ---- the nodes ----

# Manager 0: initialises the swarm. Its private address is where the others join.
resource "aws_instance" "leader" {
  ami                         = local.ami_id
  instance_type               = var.manager_instance_type
  subnet_id                   = var.subnet_ids[0]
  vpc_security_group_ids      = var.security_group_ids
  key_name                    = local.key_name
  iam_instance_profile        = aws_iam_instance_profile.node.name
  associate_public_ip_address = true
  user_data                   = templatefile("${path.module}/user-data.sh.tftpl", local.user_data["leader"])

  root_block_device {
    volume_size = var.root_volume_size
    volume_type = "gp3"
  }

  tags = merge(local.tags, { Name = "${var.tag}-manager-0", role = "manager" })

  # A new AMI or user data is for new nodes: replacing a running manager is a decision
  # (terrane apply -replace=...), not a side effect of Canonical publishing an image.
  lifecycle {
    ignore_changes = [ami, user_data]
  }
}

resource "aws_instance" "manager" {
  count = var.managers - 1

  ami                         = local.ami_id
  instance_type               = var.manager_instance_type
  subnet_id                   = var.subnet_ids[(count.index + 1) % length(var.subnet_ids)]
  vpc_security_group_ids      = var.security_group_ids
  key_name                    = local.key_name
  iam_instance_profile        = aws_iam_instance_profile.node.name
  associate_public_ip_address = true
  user_data = templatefile("${path.module}/user-data.sh.tftpl", merge(local.user_data["manager"], {
    leader_ip = aws_instance.leader.private_ip
  }))

  root_block_device {
    volume_size = var.root_volume_size
    volume_type = "gp3"
  }

  tags = merge(local.tags, { Name = "${var.tag}-manager-${count.index + 1}", role = "manager" })

  lifecycle {
    ignore_changes = [ami, user_data]
  }
}

resource "aws_instance" "worker" {
  count = var.workers

  ami                         = local.ami_id
  instance_type               = var.worker_instance_type
  subnet_id                   = var.subnet_ids[count.index % length(var.subnet_ids)]
  vpc_security_group_ids      = var.security_group_ids
  key_name                    = local.key_name
  iam_instance_profile        = aws_iam_instance_profile.node.name
  associate_public_ip_address = true
  user_data = templatefile("${path.module}/user-data.sh.tftpl", merge(local.user_data["worker"], {
    leader_ip = aws_instance.leader.private_ip
  }))

  root_block_device {
    volume_size = var.root_volume_size
    volume_type = "gp3"
  }

  tags = merge(local.tags, { Name = "${var.tag}-worker-${count.index}", role = "worker" })

  lifecycle {
    ignore_changes = [ami, user_data]
  }
}

locals {
  # Every manager, the leader first.
  managers = concat([aws_instance.leader], aws_instance.manager)
}
