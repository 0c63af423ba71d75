#!/usr/bin/env bash
# Re-records hashicorp_aws.json: the schemas of the resource types and data sources terrane's
# AWS provider builds in, as the real hashicorp/aws plugin (5.100.0) gives them to Terraform 1.11
# (`terraform providers schema -json`). Offline: the plugin comes from a filesystem mirror of
# provider plugins. Idempotent: with nothing changed, the file comes out byte-identical.
# See README.md.
#
#   providers/aws/tests/schema/regenerate.sh
#   TF_PLUGIN_MIRROR=/opt/tf-plugins providers/aws/tests/schema/regenerate.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../../src"
out="$here/hashicorp_aws.json"
aws_version="5.100.0"

die() { echo "regenerate.sh: $*" >&2; exit 1; }

command -v terraform >/dev/null 2>&1 || die "terraform is not on PATH; Terraform 1.11.x is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required"

# The mirror: TF_PLUGIN_MIRROR, else wherever the plugin is found (its root is five directories
# up from the binary: registry.terraform.io/hashicorp/aws/VERSION/OS_ARCH/terraform-provider-aws_*).
mirror="${TF_PLUGIN_MIRROR:-}"
if [ -z "$mirror" ]; then
  for d in /opt/tf-plugins "$HOME/.terraform.d/plugins" /usr/share/terraform/plugins; do
    if ls "$d"/registry.terraform.io/hashicorp/aws/"$aws_version"/*/terraform-provider-aws_* >/dev/null 2>&1; then
      mirror="$d"
      break
    fi
  done
fi
if [ -z "$mirror" ]; then
  bin="$(find / -xdev -name 'terraform-provider-aws_*' -path "*hashicorp/aws/$aws_version/*" 2>/dev/null | head -n 1 || true)"
  [ -n "$bin" ] && mirror="$(cd "$(dirname "$bin")/../../../../.." && pwd)"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A CLI configuration of our own, so that no ~/.terraformrc (or its absence) plays a part.
if [ -n "$mirror" ]; then
  echo "hashicorp/aws $aws_version from the filesystem mirror $mirror"
  cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
}
TFRC
else
  # No mirror: install from the registry as Terraform would; without network, init fails loudly.
  echo "no filesystem mirror holds hashicorp/aws $aws_version; installing it from the registry"
  printf 'provider_installation {\n  direct {}\n}\n' >"$work/cli.tfrc"
fi
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
unset TF_LOG TF_LOG_PATH TF_DATA_DIR TF_WORKSPACE TF_CLI_ARGS TF_CLI_ARGS_init TF_PLUGIN_CACHE_DIR
export LC_ALL=C.UTF-8

tf_version="$(terraform version -json | python3 -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])')"
case "$tf_version" in
  1.11.*) ;;
  *) die "terraform $tf_version found; the reference is Terraform 1.11.x's" ;;
esac

mkdir "$work/tf"
cat >"$work/tf/main.tf" <<TF
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "$aws_version"
    }
  }
}
TF
(cd "$work/tf" && terraform init -input=false -backend=false -no-color >"$work/init.log" 2>&1) ||
  { cat "$work/init.log" >&2; die "terraform init failed (is hashicorp/aws $aws_version installed?)"; }
(cd "$work/tf" && terraform providers schema -json >"$work/schema.json") ||
  die "terraform providers schema -json failed"

python3 - "$src" "$work/schema.json" "$out" "$aws_version" "$tf_version" <<'PY'
import json, os, re, sys

src, schema_path, out, aws_version, tf_version = sys.argv[1:]
NAME = re.compile(r"fn name\(&self\) -> &'static str \{\s*\"([a-z0-9_]+)\"")

def names(kind):
    """The types terrane builds in: the names its resource and data source files give."""
    found = set()
    d = os.path.join(src, kind)
    for f in sorted(os.listdir(d)):
        if f.endswith(".rs"):
            with open(os.path.join(d, f), encoding="utf-8") as fh:
                found.update(NAME.findall(fh.read()))
    if not found:
        sys.exit(f"regenerate.sh: no type names found under {d}")
    return sorted(found)

with open(schema_path, encoding="utf-8") as fh:
    full = json.load(fh)
provider = full["provider_schemas"]["registry.terraform.io/hashicorp/aws"]

PROSE = ("description", "description_kind")

def strip_block(block):
    """A block without its descriptions (prose, large, not compared); everything else kept."""
    out = {k: v for k, v in block.items() if k not in PROSE}
    if "attributes" in out:
        out["attributes"] = {n: strip_attribute(a) for n, a in out["attributes"].items()}
    if "block_types" in out:
        out["block_types"] = {n: dict(b, block=strip_block(b["block"])) for n, b in out["block_types"].items()}
    return out

def strip_attribute(attr):
    out = {k: v for k, v in attr.items() if k not in PROSE}
    if "nested_type" in out:
        out["nested_type"] = strip_block(out["nested_type"])
    return out

def pick(kind, key):
    table = provider[key]
    missing = [n for n in names(kind) if n not in table]
    if missing:
        sys.exit(f"regenerate.sh: hashicorp/aws {aws_version} has no {key} {missing}")
    return {n: dict(table[n], block=strip_block(table[n]["block"])) for n in names(kind)}

doc = {
    "_comment": "Generated by regenerate.sh from `terraform providers schema -json`; never edit by hand.",
    "provider": "registry.terraform.io/hashicorp/aws",
    "provider_version": aws_version,
    "terraform_version": tf_version,
    "resource_schemas": pick("resources", "resource_schemas"),
    "data_source_schemas": pick("data", "data_source_schemas"),
}
with open(out, "w", encoding="utf-8") as fh:
    json.dump(doc, fh, indent=2, sort_keys=True, ensure_ascii=False)
    fh.write("\n")
print(f"wrote {out}: {len(doc['resource_schemas'])} resource types, {len(doc['data_source_schemas'])} data sources")
PY
