resource "terraform_data" "a" {
  input = "a"
}

moved {
  from = terraform_data.p
  to   = terraform_data.q
}

moved {
  from = terraform_data.q
  to   = terraform_data.p
}
