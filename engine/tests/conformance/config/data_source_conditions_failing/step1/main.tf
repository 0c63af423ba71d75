# A data source precondition that fails stops the plan; its check is recorded as failing.
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
variable "ok" { default = false }
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
