module "m" {
  source = "./mod"
  name   = "x"
}

moved {
  from = terraform_data.r
  to   = module.m.terraform_data.r
}
