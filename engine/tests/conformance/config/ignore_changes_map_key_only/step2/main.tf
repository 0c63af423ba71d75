resource "terraform_data" "r" {
  input = { a = "2", b = "1" }

  lifecycle {
    ignore_changes = [input["a"]]
  }
}
