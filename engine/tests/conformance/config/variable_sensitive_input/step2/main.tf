variable "password" {
  type      = string
  sensitive = true
  default   = "hunter2"
}

resource "terraform_data" "r" {
  input = { user = "u", password = var.password }
}

output "marked" {
  value     = terraform_data.r.output
  sensitive = true
}

output "nonsensitive" {
  value = nonsensitive(var.password)
}
