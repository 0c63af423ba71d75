# Preconditions and postconditions of a data source: the plan's checks, and a destroy
# plan's (every status unknown, no instances).
data "terraform_remote_state" "o" {
  backend = "local"
  config = { path = "other/terraform.tfstate" }
  lifecycle {
    precondition {
      condition     = var.ok
      error_message = "not ok"
    }
    postcondition {
      condition     = self.outputs.a == "hello"
      error_message = "not hello"
    }
  }
}
variable "ok" { default = true }
resource "terraform_data" "r" {
  input = data.terraform_remote_state.o.outputs.a
  lifecycle {
    postcondition {
      condition = self.output == "hello"
      error_message = "bad"
    }
  }
}
output "a" { value = data.terraform_remote_state.o.outputs.a }
