variable "secret" {
  type      = string
  sensitive = true
}

output "marked" {
  value     = var.secret
  sensitive = true
}

output "unmarked" {
  value = var.secret
}
