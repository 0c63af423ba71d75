variable "maybe" {
  type    = string
  default = null
}

resource "terraform_data" "r" {
  input = var.maybe
}

output "maybe" {
  value = var.maybe
}

output "is_null" {
  value = var.maybe == null
}

output "from_resource" {
  value = terraform_data.r.output
}
