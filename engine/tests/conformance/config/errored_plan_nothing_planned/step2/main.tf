# Module call whose resource fails; the root resource is planned.
resource "terraform_data" "root" {
  input = "r"
}

module "child" {
  source = "./child"
  n      = "x"
}
