variable "secret" {
  type      = string
  sensitive = true
  default   = "x"
}

output "leak" {
  value = var.secret
}

output "bad_ref" {
  value = terraform_data.nope.output
}
