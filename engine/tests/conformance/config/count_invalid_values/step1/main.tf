resource "terraform_data" "neg" {
  count = -1
}

resource "terraform_data" "frac" {
  count = 1.5
}

resource "terraform_data" "str" {
  count = "2"
}

resource "terraform_data" "nul" {
  count = null
}
