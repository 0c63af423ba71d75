#!/usr/bin/env bash
# Re-records every expected file of the conformance suite by running
# Terraform 1.11 (the oracle). Idempotent: with nothing changed, the expected
# files come out byte-identical. See README.md.
#
#   ./regenerate.sh                          everything
#   ./regenerate.sh functions_string         one expression file (its stem)
#   ./regenerate.sh config/count_basic       one configuration case
#   JOBS=4 ./regenerate.sh                   more parallel Terraform runs (default 2)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v terraform >/dev/null 2>&1; then
  echo "regenerate.sh: terraform is not on PATH; Terraform 1.11.x is the oracle and is required" >&2
  exit 1
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "regenerate.sh: python3 is required" >&2
  exit 1
fi

# A CLI configuration of our own, so that no ~/.terraformrc (or its absence)
# changes what Terraform prints; no network, no checkpoint, no prompts.
cli_config="$(mktemp)"
trap 'rm -f "$cli_config"' EXIT
printf 'provider_installation {\n  direct {}\n}\n' >"$cli_config"
export TF_CLI_CONFIG_FILE="$cli_config"
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1
export TF_INPUT=0
unset TF_LOG TF_LOG_PATH TF_DATA_DIR TF_WORKSPACE TF_CLI_ARGS \
  TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_console TF_CLI_ARGS_init
for v in $(env | sed -n 's/^\(TF_VAR_[^=]*\)=.*/\1/p'); do unset "$v"; done
export LC_ALL=C.UTF-8
export TZ=UTC

version="$(terraform version -json | python3 -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])')"
case "$version" in
  1.11.*) ;;
  *)
    echo "regenerate.sh: terraform $version found; the expected files are Terraform 1.11.x's answers" >&2
    exit 1
    ;;
esac

echo "recording with terraform $version"
start=$(date +%s)
python3 "$here/record.py" --jobs "${JOBS:-2}" --only "$@"
echo "done in $(($(date +%s) - start))s"
