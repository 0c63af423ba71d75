resource "terraform_data" "trigger" {
  input = "v2"
}

resource "terraform_data" "dependent" {
  input = "stable"

  lifecycle {
    replace_triggered_by = [terraform_data.trigger]
  }
}

resource "terraform_data" "by_attr" {
  input = "stable"

  lifecycle {
    replace_triggered_by = [terraform_data.trigger.input]
  }
}
