# The context every expression case is evaluated in (see ../README.md).
# Nothing here is ever applied: terraform_data.u has no state, so its
# attributes are unknown ("known after apply") when the console evaluates.
# Keep this file free of warnings: the console shows warnings only next to
# errors, and a warning from here would appear in every error case.

terraform {
  required_providers {
    # Makes provider::terraform::encode_tfvars, decode_tfvars and
    # encode_expr callable (no `terraform init` needed: it is built in).
    terraform = {
      source = "terraform.io/builtin/terraform"
    }
  }
}

# ---------------------------------------------------------------- primitives
variable "str" {
  type    = string
  default = "hello"
}

variable "num" {
  type    = number
  default = 42
}

variable "float" {
  type    = number
  default = 3.5
}

variable "negative" {
  type    = number
  default = -7
}

variable "bool" {
  type    = bool
  default = true
}

variable "false_bool" {
  type    = bool
  default = false
}

variable "empty_string" {
  type    = string
  default = ""
}

variable "unicode" {
  type    = string
  default = "café ☕ 👍🏽"
}

variable "multiline" {
  type    = string
  default = "line one\nline two\n"
}

# No type constraint: the default keeps its own type (a tuple / an object).
variable "untyped_list" {
  default = ["a", 1, true]
}

variable "untyped_map" {
  default = { a = 1, b = "two" }
}

# ---------------------------------------------------------------- collections
variable "list_of_strings" {
  type    = list(string)
  default = ["a", "b", "c"]
}

variable "list_of_numbers" {
  type    = list(number)
  default = [1, 2, 3]
}

variable "list_of_bools" {
  type    = list(bool)
  default = [true, false]
}

variable "list_of_lists" {
  type    = list(list(string))
  default = [["a", "b"], ["c"], []]
}

variable "set_of_strings" {
  type    = set(string)
  default = ["b", "a", "c"]
}

variable "set_of_numbers" {
  type    = set(number)
  default = [3, 1, 2]
}

variable "map_of_strings" {
  type    = map(string)
  default = { a = "x", b = "y" }
}

variable "map_of_numbers" {
  type    = map(number)
  default = { a = 1, b = 2, c = 3 }
}

variable "map_of_lists" {
  type    = map(list(string))
  default = { a = ["1", "2"], b = [] }
}

variable "empty_list" {
  type    = list(string)
  default = []
}

variable "empty_map" {
  type    = map(string)
  default = {}
}

variable "empty_set" {
  type    = set(string)
  default = []
}

variable "tuple" {
  type    = tuple([string, number, bool])
  default = ["a", 1, true]
}

variable "obj" {
  type = object({
    name  = string
    n     = number
    tags  = map(string)
    items = list(string)
    opt   = optional(string)
  })
  default = {
    name  = "example"
    n     = 3
    tags  = { env = "dev", team = "core" }
    items = ["x", "y"]
  }
}

variable "users" {
  type = list(object({
    name = string
    age  = number
    tags = list(string)
  }))
  default = [
    { name = "alice", age = 30, tags = ["admin", "dev"] },
    { name = "bob", age = 25, tags = [] },
    { name = "carol", age = 35, tags = ["dev"] },
  ]
}

variable "users_by_name" {
  type = map(object({
    age  = number
    role = string
  }))
  default = {
    alice = { age = 30, role = "admin" }
    bob   = { age = 25, role = "dev" }
  }
}

variable "any_value" {
  type    = any
  default = { list = [1, 2], name = "n" }
}

# ---------------------------------------------------------------- nulls
variable "null_string" {
  type    = string
  default = null
}

variable "null_number" {
  type    = number
  default = null
}

variable "null_list" {
  type    = list(string)
  default = null
}

variable "null_map" {
  type    = map(string)
  default = null
}

variable "null_obj" {
  type    = object({ a = string })
  default = null
}

variable "null_any" {
  default = null
}

variable "list_with_null" {
  type    = list(string)
  default = ["a", null, "c"]
}

# ---------------------------------------------------------------- sensitive
variable "secret" {
  type      = string
  sensitive = true
  default   = "s3cr3t"
}

variable "secret_number" {
  type      = number
  sensitive = true
  default   = 7
}

variable "secret_list" {
  type      = list(string)
  sensitive = true
  default   = ["p1", "p2"]
}

variable "secret_map" {
  type      = map(string)
  sensitive = true
  default   = { user = "admin", pass = "hunter2" }
}

# ---------------------------------------------------------------- unknowns
# Never applied, so every attribute is unknown in the console.
resource "terraform_data" "u" {
  input = "x"
}

resource "terraform_data" "counted" {
  count = 2
  input = count.index
}

resource "terraform_data" "each" {
  for_each = toset(["a", "b"])
  input    = each.key
}

locals {
  # Plain locals.
  greeting = "hello, ${var.str}"
  numbers  = [for n in var.list_of_numbers : n * 10]
  by_name  = { for u in var.users : u.name => u.age }

  # Unknown values of each kind.
  unknown_any    = terraform_data.u.output
  unknown_string = tostring(terraform_data.u.output)
  unknown_number = tonumber(terraform_data.u.output)
  unknown_bool   = tobool(terraform_data.u.output)
  unknown_list   = tolist(terraform_data.u.output)
  unknown_strs   = split(",", tostring(terraform_data.u.output))
  unknown_map    = tomap(terraform_data.u.output)

  # Known collections holding unknown elements.
  list_with_unknown     = tolist(["a", tostring(terraform_data.u.output), "c"])
  tuple_with_unknown    = ["a", tostring(terraform_data.u.output), 3]
  map_with_unknown      = tomap({ a = "known", b = tostring(terraform_data.u.output) })
  obj_with_unknown      = { a = "known", b = tostring(terraform_data.u.output) }
  set_with_unknown      = toset(["a", tostring(terraform_data.u.output)])
  nested_unknown        = { outer = { inner = tostring(terraform_data.u.output), known = 1 } }

  # Sensitive values.
  sensitive_list        = sensitive(["a", "b"])
  list_with_sensitive   = ["a", var.secret]
  map_with_sensitive    = { user = "admin", pass = var.secret }

  # Templates for templatestring (its first argument must be a reference).
  tmpl_hello   = "Hello, $${name}!"
  tmpl_for     = "%%{ for x in xs ~}$${x},%%{ endfor ~}"
  tmpl_if      = "%%{ if cond }yes%%{ else }no%%{ endif }"
  tmpl_missing = "$${missing}"
  tmpl_func    = "$${upper(a)} $${length(xs)}"
  tmpl_broken  = "$${"
  tmpl_nested  = "$${templatestring(t, {})}"
  tmpl_attr    = "$${a.b}"
  tmpl_plain   = "plain text"
  tmpl_only    = "$${a}"
  tmpls        = { hello = "Hi $${name}" }

  # Null inside collections.
  obj_with_null         = { a = 1, b = null }
  tuple_with_null       = [1, null, 3]
}
