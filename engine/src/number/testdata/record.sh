#!/usr/bin/env bash
# Records the expected results in terraform.txt (beside this script) from `terraform console`.
#
# Each line of terraform.txt that is neither blank nor a `#` comment is `EXPRESSION` or
# `EXPRESSION => RESULT`. The script evaluates every expression with `terraform console` in an
# empty directory (one process per line) and rewrites the file with Terraform's results:
# the console's output on one line, or `ERROR: <detail>` with the diagnostic's detail text
# unwrapped onto one line (panics cut before their goroutine dump).
#
# Usage: engine/src/number/testdata/record.sh   (needs `terraform` on the PATH; not needed by the tests)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
file="$here/terraform.txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: >"$work/empty.tfrc"
export TF_CLI_CONFIG_FILE="$work/empty.tfrc"
mkdir "$work/dir"
out="$work/out.txt"
: >"$out"
terraform version | head -n1 >&2

while IFS= read -r line || [[ -n "$line" ]]; do
  if [[ -z "$line" || "$line" == \#* ]]; then
    printf '%s\n' "$line" >>"$out"
    continue
  fi
  expr="${line%% => *}"
  raw=$(cd "$work/dir" && printf '%s\n' "$expr" | terraform console -no-color 2>&1) || true
  if grep -q '^Error: ' <<<"$raw"; then
    # The detail follows the "(source code not available)" line.
    detail=$(awk 'found { print } /\(source code not available\)/ { found = 1 }' <<<"$raw" |
      sed '/^goroutine /,$d' | tr '\n' ' ' | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//')
    result="ERROR: $detail"
  else
    result=$(printf '%s' "$raw" | tr '\n' ' ' | sed -e 's/ *$//')
  fi
  printf '%s => %s\n' "$expr" "$result" >>"$out"
done <"$file"

mv "$out" "$file"
