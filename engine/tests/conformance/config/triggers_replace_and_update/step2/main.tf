resource "terraform_data" "r" {
  input            = "b"
  triggers_replace = ["t1"]
}
