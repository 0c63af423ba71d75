variable "required" {
  type = string
}

variable "typed" {
  type    = list(number)
  default = ["a"]
}
