resource "terraform_data" "a" {
  input = "forget me"
}

resource "terraform_data" "b" {
  count = 2
  input = "b"
}
