resource "terraform_data" "src" {
  input = "x"
}

resource "terraform_data" "a" {
  for_each = {
    one = terraform_data.src.output
    two = "known"
  }
  input = each.value
}

output "values" {
  value = { for k, v in terraform_data.a : k => v.input }
}
