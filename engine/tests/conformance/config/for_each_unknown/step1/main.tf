resource "terraform_data" "src" {
  input = "x"
}

resource "terraform_data" "a" {
  for_each = toset([terraform_data.src.output])
  input    = each.key
}
