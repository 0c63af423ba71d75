module "single" {
  source   = "./mod"
  for_each = toset(["only"])
  name     = "s"
}

moved {
  from = module.single
  to   = module.single["only"]
}
