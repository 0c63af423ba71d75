variable "enabled" {
  type    = bool
  default = true
}

resource "terraform_data" "a" {
  count = var.enabled ? 1 : 0
  input = "on"
}

output "count" {
  value = length(terraform_data.a)
}

output "first" {
  value = one(terraform_data.a[*].input)
}
