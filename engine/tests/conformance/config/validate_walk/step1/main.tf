# What Terraform's validate walk knows: constants, and nothing else. Variables
# are unknown (of their type), resources unknown, count.index and each unknown.
variable "names" {
  type    = list(string)
  default = ["a", "b"]
}

locals {
  prefix = "app"
  # Known at validate: a constant made of constants.
  joined = join("-", [local.prefix, "x"])
}

resource "terraform_data" "counted" {
  count = length(var.names)
  input = "${local.joined}-${count.index}-${var.names[count.index]}"
}

resource "terraform_data" "each" {
  for_each = toset(var.names)
  input    = "${each.key}=${each.value}"
  lifecycle {
    ignore_changes = [input]
    precondition {
      condition     = length(each.key) > 0
      error_message = "Key ${each.key} is empty."
    }
  }
}

module "child" {
  source = "./child"
  count  = 2
  index  = count.index
  label  = terraform_data.counted[0].output
}

output "child_labels" {
  value = module.child[*].label
}
