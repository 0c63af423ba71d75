resource "terraform_data" "a" {
  count = 1
  input = "item-${count.index}"
}

output "inputs" {
  value = terraform_data.a[*].input
}
