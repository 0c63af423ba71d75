variable "users" {
  type      = map(string)
  sensitive = true
  default   = { alice = "a" }
}

resource "terraform_data" "u" {
  for_each = nonsensitive(toset(keys(var.users)))
  input    = var.users[each.key]
}
