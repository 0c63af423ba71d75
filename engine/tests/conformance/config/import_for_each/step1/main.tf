locals {
  ids = { a = "id-a", b = "id-b" }
}

import {
  for_each = local.ids
  to       = terraform_data.t[each.key]
  id       = each.value
}

resource "terraform_data" "t" {
  for_each = local.ids
}
