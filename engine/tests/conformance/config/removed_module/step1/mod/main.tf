resource "terraform_data" "r" {
  input = "in module"
}
