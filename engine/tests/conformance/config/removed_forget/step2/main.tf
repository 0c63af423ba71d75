resource "terraform_data" "b" {
  count = 2
  input = "b"
}

removed {
  from = terraform_data.a

  lifecycle {
    destroy = false
  }
}
