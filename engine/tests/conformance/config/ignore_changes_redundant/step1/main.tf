# Attributes only the provider decides (computed, not optional) in
# ignore_changes: a warning from validation, at the resource's type, that plan
# shows too.
resource "terraform_data" "r" {
  input = "a"
  lifecycle {
    ignore_changes = [output, id, input]
  }
}
