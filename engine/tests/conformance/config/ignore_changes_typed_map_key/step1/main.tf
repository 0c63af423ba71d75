variable "m" {
  type = map(string)
}

resource "terraform_data" "r" {
  input = var.m

  lifecycle {
    ignore_changes = [input["a"]]
  }
}
