output "string" {
  value = "changed"
}

output "number" {
  value = 1.5
}
