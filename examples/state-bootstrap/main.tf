# The S3 bucket a team keeps its terrane (or Terraform) state in: versioned, encrypted, never
# public, and protected from `destroy`. Apply it once with local state, then move its own state
# into the bucket it created. README.md: the steps.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

variable "bucket_name" {
  description = "Name of the state bucket: globally unique, 3 to 63 lowercase letters, digits, dots and hyphens."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit."
  }
}

variable "region" {
  description = "AWS region of the bucket."
  type        = string
  default     = "eu-west-1"
}

variable "state_key" {
  description = "Object key of this configuration's own state, once moved into the bucket."
  type        = string
  default     = "state-bootstrap/terraform.tfstate"
}

variable "aws_endpoint" {
  description = "One endpoint URL for S3 and STS, for an S3-compatible service or an emulator such as moto; null for AWS."
  type        = string
  default     = null
}

provider "aws" {
  region                      = var.region
  skip_credentials_validation = var.aws_endpoint != null
  s3_use_path_style           = var.aws_endpoint != null
  endpoints {
    s3  = var.aws_endpoint
    sts = var.aws_endpoint
  }
}

resource "aws_s3_bucket" "state" {
  bucket = var.bucket_name
  tags = {
    Purpose = "terrane state"
  }

  # Every state of the team lives here: `terrane destroy` stops before deleting it.
  lifecycle {
    prevent_destroy = true
  }
}

# Every write of a state keeps the previous one as an older version, to go back to.
resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# The settings of the backend block that keeps state in the bucket; the endpoint settings only
# with an emulator or an S3-compatible service.
locals {
  backend_settings = concat(
    [
      "bucket       = ${jsonencode(aws_s3_bucket.state.id)}",
      "key          = ${jsonencode(var.state_key)}",
      "region       = ${jsonencode(var.region)}",
      "encrypt      = true",
      "use_lockfile = true",
    ],
    var.aws_endpoint == null ? [] : [
      "endpoints                   = { s3 = ${jsonencode(var.aws_endpoint)} }",
      "use_path_style              = true",
      "skip_credentials_validation = true",
      "skip_requesting_account_id  = true",
    ],
  )
}

output "bucket" {
  description = "Name of the state bucket."
  value       = aws_s3_bucket.state.id
}

output "backend_config" {
  description = "The backend block to add to this configuration (and, with its own key, to every other one)."
  value = join("\n", concat(
    ["terraform {", "  backend \"s3\" {"],
    [for setting in local.backend_settings : "    ${setting}"],
    ["  }", "}", ""],
  ))
}
