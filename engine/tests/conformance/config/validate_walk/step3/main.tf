# count.index and each outside count/for_each, and a local that fails on
# constants: errors in validate as in plan.
locals {
  bad = 1 + "one"
}

resource "terraform_data" "no_count" {
  input = count.index
}

resource "terraform_data" "no_each" {
  input = each.key
}

output "bad" {
  value = local.bad
}
