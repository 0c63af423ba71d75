module "m" {
  source = "./mod"
  count  = 1
}
