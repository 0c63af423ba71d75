resource "terraform_data" "r" {
  input = { a = "3", b = "2" }

  lifecycle {
    ignore_changes = [input["a"], input["missing-key"]]
  }
}
