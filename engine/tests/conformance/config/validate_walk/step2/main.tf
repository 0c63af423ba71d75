# Errors the validate walk finds from constants alone: a module argument of the
# wrong type, a count that is not a number, a for_each of the wrong type on a
# module call.
module "child" {
  source = "./child"
  index  = "not a number"
  label  = "x"
}

module "each" {
  source   = "./child"
  for_each = 3
  index    = 1
  label    = each.key
}

resource "terraform_data" "bad_count" {
  count = "many"
}
