resource "terraform_data" "base" {
  for_each = { a = "1", c = "3" }
  input    = each.value
}

resource "terraform_data" "derived" {
  for_each = terraform_data.base
  input    = "${each.key}-${each.value.input}"
}

output "derived" {
  value = { for k, v in terraform_data.derived : k => v.output }
}
