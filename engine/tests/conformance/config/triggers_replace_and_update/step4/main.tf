resource "terraform_data" "r" {
  input            = "b"
  triggers_replace = ["t2"]

  lifecycle {
    create_before_destroy = true
  }
}
