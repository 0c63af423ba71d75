resource "terraform_data" "a" {
  for_each = toset(["plain", "with space", "ü/ñ", "quote\"d", "", "0", "a.b[c]"])
  input    = each.key
}

output "keys" {
  value = keys(terraform_data.a)
}
