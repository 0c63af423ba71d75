variable "n" {
  type    = number
  default = 1
}

resource "terraform_data" "r" {
  input = var.n
}

check "small" {
  assert {
    condition     = var.n < 3
    error_message = "n is not small: ${var.n}."
  }
}

check "output_known" {
  assert {
    condition     = terraform_data.r.output == var.n
    error_message = "Output differs."
  }
}
