variable "index" {
  type = number
}

variable "label" {
  type = string
}

output "label" {
  value = "${var.label}-${var.index}"
}
