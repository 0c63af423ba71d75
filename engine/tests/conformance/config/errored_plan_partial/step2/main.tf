# A precondition fails in the walk: Terraform saves what it planned before the
# error ("errored": true) and apply refuses that plan.
variable "ok" {
  type    = bool
  default = false
}

resource "terraform_data" "ok" {
  input = "a"
}

resource "terraform_data" "bad" {
  input = "b"
  lifecycle {
    precondition {
      condition     = var.ok
      error_message = "The precondition failed."
    }
  }
}

resource "terraform_data" "after_bad" {
  input = terraform_data.bad.input
}

output "o" {
  value = terraform_data.ok.input
}

output "from_bad" {
  value = terraform_data.after_bad.output
}
