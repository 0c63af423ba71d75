resource "terraform_data" "r" {
}

resource "terraform_data" "r" {
}

variable "v" {
}

variable "v" {
}

output "o" {
  value = 1
}

output "o" {
  value = 2
}

locals {
  l = 1
}

locals {
  l = 2
}
