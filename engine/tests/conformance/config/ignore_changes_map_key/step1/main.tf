resource "terraform_data" "r" {
  input = { a = "1", b = "1" }

  lifecycle {
    ignore_changes = [input["a"], input["missing-key"]]
  }
}
