module "new" {
  source = "./mod"
  count  = 2
  name   = "n${count.index}"
}

moved {
  from = module.old
  to   = module.new
}
