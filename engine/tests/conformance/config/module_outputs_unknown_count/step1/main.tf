module "m" {
  source = "./mod"
  name   = "x"
}

resource "terraform_data" "per_char" {
  count = length(module.m.name)
}
