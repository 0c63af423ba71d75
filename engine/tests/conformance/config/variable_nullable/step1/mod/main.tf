variable "nullable_arg" {
  type    = string
  default = "default-a"
}

variable "not_nullable" {
  type     = string
  default  = "default-b"
  nullable = false
}

variable "required_null" {
  type = string
}

output "nullable_arg" {
  value = var.nullable_arg
}

output "not_nullable" {
  value = var.not_nullable
}

output "required_null" {
  value = var.required_null
}
