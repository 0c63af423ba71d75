locals {
  obj     = { a = 1 }
  missing = local.obj.b
  badfn   = upper(1, 2)
  undef   = local.nope
  typeerr = 1 + "x"
}
