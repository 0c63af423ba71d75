resource "terraform_data" "x" {
  input = "x"
}

moved {
  from = terraform_data.p
  to   = terraform_data.q
}

moved {
  from = terraform_data.q
  to   = terraform_data.p
}

moved {
  from = terraform_data.x
  to   = module.m
}

moved {
  from = terraform_data.x
  to   = terraform_data.x
}
