resource "terraform_data" "a" {
  count = 3
  input = "x"
}

moved {
  from = terraform_data.a
  to   = terraform_data.a[2]
}
