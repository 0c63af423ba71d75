resource "terraform_data" "r" {
  input = "one"

  lifecycle {
    ignore_changes = all
  }
}
