resource "terraform_data" "first" {
  input = "first"
}

module "m" {
  source     = "./mod"
  name       = "m"
  depends_on = [terraform_data.first]
}

output "name" {
  value = module.m.name
}
