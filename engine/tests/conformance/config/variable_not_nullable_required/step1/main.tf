module "m" {
  source = "./mod"
  v      = null
}
