variable "n" {
  type = string
}

resource "terraform_data" "c" {
  count = var.n == "x" ? 1 : 0
  input = parseint(var.n, 10)
}
