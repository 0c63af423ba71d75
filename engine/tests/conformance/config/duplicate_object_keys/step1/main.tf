resource "terraform_data" "r" {
  input = {
    a = 1
    a = 2
  }
}

locals {
  dup = { "k" = "first", k = "second" }
}

output "dup" {
  value = local.dup
}
