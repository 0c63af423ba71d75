import {
  to = terraform_data.missing
  id = "x"
}

import {
  to = terraform_data.a
  id = ""
}

resource "terraform_data" "a" {
}
