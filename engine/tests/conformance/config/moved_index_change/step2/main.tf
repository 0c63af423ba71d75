resource "terraform_data" "a" {
  for_each = { first = "v0", second = "v1" }
  input    = each.value
}

moved {
  from = terraform_data.a[0]
  to   = terraform_data.a["first"]
}

moved {
  from = terraform_data.a[1]
  to   = terraform_data.a["second"]
}
