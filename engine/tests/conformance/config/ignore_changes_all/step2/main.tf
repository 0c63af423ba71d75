resource "terraform_data" "r" {
  input = "two"

  lifecycle {
    ignore_changes = all
  }
}
