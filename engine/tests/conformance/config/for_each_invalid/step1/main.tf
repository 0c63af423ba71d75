resource "terraform_data" "list" {
  for_each = ["a", "b"]
}

resource "terraform_data" "nul" {
  for_each = null
}

resource "terraform_data" "secret" {
  for_each = sensitive(toset(["a"]))
}

resource "terraform_data" "nested" {
  for_each = toset([["a"]])
}

resource "terraform_data" "nullkey" {
  for_each = toset(["a", null])
}
