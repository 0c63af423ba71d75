# A two-local cycle (a = local.b, b = local.a) is reported as
# "Cycle: local.a (expand), local.b (expand)" in an order that varies from
# run to run, so this case uses a self-reference, which is reported stably.
locals {
  a = local.a
}

output "a" {
  value = local.a
}
