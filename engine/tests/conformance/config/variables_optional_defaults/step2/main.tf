variable "settings" {
  type = object({
    name    = string
    size    = optional(number, 10)
    tags    = optional(map(string), {})
    nested  = optional(object({
      enabled = optional(bool, true)
      level   = optional(string)
    }), {})
    list    = optional(list(object({ a = optional(string, "dflt") })), [{}])
  })
  default = {
    name = "n"
  }
}

output "settings" {
  value = var.settings
}

resource "terraform_data" "s" {
  input = var.settings
}
