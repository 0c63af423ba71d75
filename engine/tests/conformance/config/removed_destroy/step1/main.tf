resource "terraform_data" "a" {
  input = "destroy me"
}
