# The only resource fails to plan: the saved plan is errored and empty.
resource "terraform_data" "x" {
  input = tonumber("abc")
}
