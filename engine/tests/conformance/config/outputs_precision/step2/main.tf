# Numbers beyond a 64-bit float, kept exact through outputs, variables, resource
# attributes and the state, as Terraform's arbitrary-precision numbers are.
variable "big" {
  type    = number
  default = 123456789012345678901234567890
}

locals {
  pi = 3.14159265358979323846264338327950288
}

resource "terraform_data" "n" {
  input = { big = var.big, pi = local.pi, sum = 0.1 + 0.2 }
}

output "big" {
  value = var.big
}

output "negative" {
  value = -12345678901234567890123
}

output "pi" {
  value = local.pi
}

output "tiny" {
  value = 1e-30 / 3
}

output "sum" {
  value = 0.1 + 0.2
}

output "nested" {
  value = { list = [var.big, local.pi], text = "${var.big}" }
}

output "resource" {
  value = terraform_data.n.output
}
