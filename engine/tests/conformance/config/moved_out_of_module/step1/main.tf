module "m" {
  source = "./mod"
  name   = "x"
}
