# With objects in the state: the errored plan holds an update and a delete
# planned before the failing check, and the failing output.
variable "ok" {
  type    = bool
  default = false
}

resource "terraform_data" "ok" {
  input = "changed"
}

resource "terraform_data" "bad" {
  input = "b"
  lifecycle {
    postcondition {
      condition     = var.ok
      error_message = "The postcondition failed."
    }
  }
}

output "o" {
  value = terraform_data.ok.input
}

output "broken" {
  value = tonumber("not a number")
}
