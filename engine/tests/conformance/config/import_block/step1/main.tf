import {
  to = terraform_data.imported
  id = "imported-id-1"
}

resource "terraform_data" "imported" {
}

output "id_is_kept" {
  value = terraform_data.imported.id == "imported-id-1"
}
