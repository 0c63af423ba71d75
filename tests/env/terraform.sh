#!/usr/bin/env bash
# Terraform 1.11 with the real hashicorp/aws 5.100.0 plugin, offline, for the tests that hand a
# working directory between Terraform and terrane (tests/e2e/from_terraform.rs). Terraform and
# the plugin's filesystem mirror come with the development and CI machines (no network
# needed); this finds them and writes a Terraform CLI configuration that uses the mirror to
# $TERRANE_TF_CLI_CONFIG (default /var/tmp/terrane-env/terraform.tfrc), which the tests read.
# Idempotent; fails loudly when Terraform 1.11 or the plugin is missing.
set -euo pipefail
aws_version=5.100.0
out="${TERRANE_TF_CLI_CONFIG:-/var/tmp/terrane-env/terraform.tfrc}"

if ! command -v terraform >/dev/null 2>&1; then
  echo "tests/env/terraform.sh: terraform is not on PATH; Terraform 1.11 is needed (https://releases.hashicorp.com/terraform/)" >&2
  exit 1
fi
version="$(TF_CLI_CONFIG_FILE=/dev/null terraform version 2>/dev/null | head -n 1)"
case "$version" in
  "Terraform v1.11."*) ;;
  *) echo "tests/env/terraform.sh: Terraform 1.11 is needed, found: $version" >&2; exit 1 ;;
esac

# The mirror: TF_PLUGIN_MIRROR, the usual place, else wherever the plugin is (its root is
# five directories up from the binary: registry.terraform.io/hashicorp/aws/V/OS_ARCH/).
mirror="${TF_PLUGIN_MIRROR:-}"
if [ -z "$mirror" ] && [ -d "/opt/tf-plugins/registry.terraform.io/hashicorp/aws/$aws_version" ]; then
  mirror=/opt/tf-plugins
fi
if [ -z "$mirror" ]; then
  bin="$(find / -xdev -name 'terraform-provider-aws_*' -path "*hashicorp/aws/$aws_version/*" 2>/dev/null | head -n 1 || true)"
  [ -n "$bin" ] && mirror="$(cd "$(dirname "$bin")/../../../../.." && pwd)"
fi
if [ -z "$mirror" ] || [ ! -d "$mirror/registry.terraform.io/hashicorp/aws/$aws_version" ]; then
  echo "tests/env/terraform.sh: no filesystem mirror with hashicorp/aws $aws_version found (set TF_PLUGIN_MIRROR)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
tmp="$(mktemp "$out.XXXXXX")"
printf 'provider_installation {\n  filesystem_mirror {\n    path    = "%s"\n    include = ["registry.terraform.io/*/*"]\n  }\n}\n' "$mirror" >"$tmp"
mv "$tmp" "$out"
echo "terraform: $version, hashicorp/aws $aws_version from $mirror ($out)"
