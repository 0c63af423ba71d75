module "counted" {
  source = "./mod"
  count  = 2
  name   = "c${count.index}"
}

module "each" {
  source   = "./mod"
  for_each = toset(["x", "y"])
  name     = "e-${each.key}"
}

output "counted" {
  value = module.counted[*].name
}

output "each" {
  value = { for k, m in module.each : k => m.name }
}
