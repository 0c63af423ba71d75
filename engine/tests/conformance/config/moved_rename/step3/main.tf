resource "terraform_data" "new" {
  input = "keep"
}
