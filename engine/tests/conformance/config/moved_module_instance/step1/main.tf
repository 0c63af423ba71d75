module "single" {
  source = "./mod"
  name   = "s"
}
