variable "prefix" {
  type = string
}

module "inner" {
  source = "../inner"
  name   = "${var.prefix}-inner"
}

resource "terraform_data" "o" {
  input = module.inner.name
}

output "inner_name" {
  value = module.inner.name
}
