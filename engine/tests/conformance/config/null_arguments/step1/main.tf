resource "terraform_data" "nulls" {
  input            = null
  triggers_replace = null
}

resource "terraform_data" "unknown_attr" {
  nope = 1
}

output "null_input" {
  value = terraform_data.nulls.output
}
