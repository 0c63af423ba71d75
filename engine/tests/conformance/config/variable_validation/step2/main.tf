variable "port" {
  type    = number
  default = 80

  validation {
    condition     = var.port > 0 && var.port < 65536
    error_message = "The port must be between 1 and 65535."
  }

  validation {
    condition     = floor(var.port) == var.port
    error_message = "The port must be a whole number, got ${var.port}."
  }
}

output "port" {
  value = var.port
}
