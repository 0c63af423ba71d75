resource "terraform_data" "a" {
  input = each.key
}

resource "terraform_data" "b" {
  input = count.index
}

resource "terraform_data" "c" {
  for_each = toset(["x"])
  input    = count.index
}
