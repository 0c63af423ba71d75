variable "password" {
  type      = string
  sensitive = true
  default   = "hunter2"
}

resource "terraform_data" "r" {
  input = { user = "u", password = var.password }
}

output "unmarked" {
  value = terraform_data.r.output
}
