output "string" {
  value = "s"
}

output "number" {
  value = 1.5
}

output "big_number" {
  value = 12345678901234567890
}

output "bool" {
  value = true
}

output "tuple" {
  value = [1, "a", true]
}

output "list" {
  value = tolist(["a", "b"])
}

output "set" {
  value = toset(["b", "a"])
}

output "map" {
  value = tomap({ a = 1 })
}

output "object" {
  value = { a = 1, b = [null] }
}

output "null" {
  value = null
}

output "null_string" {
  value = tostring(null)
}

output "empty_list" {
  value = []
}

output "sensitive" {
  value     = "secret"
  sensitive = true
}

output "nested_null" {
  value = { a = null, b = tolist([null, "x"]) }
}

output "unicode" {
  value = "café 👍"
}
