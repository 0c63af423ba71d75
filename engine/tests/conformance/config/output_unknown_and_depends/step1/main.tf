resource "terraform_data" "r" {
  input = "v"
}

output "unknown" {
  value = terraform_data.r.output
}

output "partly" {
  value = { known = "k", unknown = terraform_data.r.output }
}

output "with_depends" {
  value      = "static"
  depends_on = [terraform_data.r]
}
