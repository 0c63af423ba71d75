variable "servers" {
  default = {
    web = { size = "small", port = 80 }
    db  = { size = "large", port = 5432 }
  }
}

resource "terraform_data" "s" {
  for_each = var.servers
  input    = "${each.key}:${each.value.size}:${each.value.port}"
}

output "inputs" {
  value = { for k, v in terraform_data.s : k => v.input }
}
