module "outer" {
  source = "./modules/outer"
  prefix = "p"
}

output "inner_name" {
  value = module.outer.inner_name
}

output "whole" {
  value = module.outer
}
