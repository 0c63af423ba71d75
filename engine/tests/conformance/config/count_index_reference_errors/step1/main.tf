resource "terraform_data" "a" {
  count = 2
  input = count.index
}

output "bad_index" {
  value = terraform_data.a[5].input
}
