variable "n" {
  type    = number
  default = 1
}

resource "terraform_data" "r" {
  input = var.n

  lifecycle {
    precondition {
      condition     = var.n < 10
      error_message = "n must be below 10, got ${var.n}."
    }

    postcondition {
      condition     = self.output == var.n
      error_message = "The output must echo the input."
    }
  }
}

output "doubled" {
  value = var.n * 2

  precondition {
    condition     = var.n != 5
    error_message = "Five is not allowed."
  }
}
