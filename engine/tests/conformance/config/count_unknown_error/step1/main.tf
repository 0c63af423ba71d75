resource "terraform_data" "src" {
  input = "a,b"
}

resource "terraform_data" "a" {
  count = length(split(",", terraform_data.src.output))
  input = count.index
}
