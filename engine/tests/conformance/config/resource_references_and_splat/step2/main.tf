resource "terraform_data" "many" {
  count = 3
  input = count.index * 10
}

resource "terraform_data" "sum" {
  input = sum(terraform_data.many[*].input)
}

output "outputs" {
  value = terraform_data.many[*].output
}

output "sum" {
  value = terraform_data.sum.output
}
