resource "terraform_data" "old" {
  input = "keep"
}
