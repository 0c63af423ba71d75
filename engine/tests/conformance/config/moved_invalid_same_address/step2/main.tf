resource "terraform_data" "a" {
  input = "a"
}

moved {
  from = terraform_data.a
  to   = terraform_data.a
}
