resource "terraform_data" "r" {
  input = "x"
}

moved {
  from = module.m.terraform_data.r
  to   = terraform_data.r
}
