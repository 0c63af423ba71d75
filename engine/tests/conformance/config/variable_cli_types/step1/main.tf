variable "list" {
  type = list(string)
}

variable "map" {
  type = map(number)
}

variable "num" {
  type = number
}

variable "any" {
}

output "all" {
  value = {
    list = var.list
    map  = var.map
    num  = var.num
    any  = var.any
  }
}
