module "missing_arg" {
  source = "./mod"
}

module "extra_arg" {
  source = "./mod"
  name   = "x"
  nope   = 1
}

output "bad" {
  value = module.extra_arg.nope
}
