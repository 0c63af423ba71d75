module "old" {
  source   = "./mod"
  for_each = toset(["a", "b", "c"])
  name     = each.key
}
