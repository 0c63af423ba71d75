resource "terraform_data" "a" {
  input = "x"
}

resource "terraform_data" "b" {
  input = "y"

  lifecycle {
    precondition {
      condition     = terraform_data.a.output == "x"
      error_message = "Checked at apply time."
    }

    postcondition {
      condition     = self.output == "nope"
      error_message = "Postcondition fails after apply: ${self.output}."
    }
  }
}
