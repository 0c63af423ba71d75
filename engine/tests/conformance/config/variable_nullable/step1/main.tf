module "m" {
  source        = "./mod"
  nullable_arg  = null
  not_nullable  = null
  required_null = null
}

output "m" {
  value = module.m
}
