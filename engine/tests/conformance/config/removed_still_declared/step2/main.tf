resource "terraform_data" "a" {
  input = "a"
}

removed {
  from = terraform_data.a

  lifecycle {
    destroy = false
  }
}
