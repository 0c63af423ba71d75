variable "secret" {
  type      = string
  sensitive = true
  default   = "pw"
}

module "m" {
  source = "./mod"
  secret = var.secret
}

output "from_module" {
  value     = module.m.marked
  sensitive = true
}
