resource "terraform_data" "nulls" {
  input            = null
  triggers_replace = null
}

output "null_input" {
  value = terraform_data.nulls.output
}
