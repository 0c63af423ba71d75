module "new" {
  source   = "./mod"
  for_each = toset(["a", "b", "c"])
  name     = each.key
}

moved {
  from = module.old
  to   = module.new
}

output "names" {
  value = { for k, m in module.new : k => m.name }
}
