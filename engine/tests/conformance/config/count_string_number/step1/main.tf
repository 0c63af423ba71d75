resource "terraform_data" "a" {
  count = "2"
  input = "n${count.index}"
}

output "addresses" {
  value = [for r in terraform_data.a : r.input]
}
