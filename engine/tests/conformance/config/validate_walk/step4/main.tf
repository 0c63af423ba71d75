# A condition known at validation that is not a bool: Terraform's validate walk
# evaluates it but does not look at its value; the plan reports it.
locals {
  s = "maybe"
}

resource "terraform_data" "r" {
  lifecycle {
    precondition {
      condition     = local.s
      error_message = "Not a bool."
    }
  }
}
