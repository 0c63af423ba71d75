variable "v" {
  type     = string
  nullable = false
}
