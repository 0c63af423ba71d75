resource "terraform_data" "r" {
  input            = "a"
  triggers_replace = ["t1"]
}
