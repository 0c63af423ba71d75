#!/usr/bin/env bash
# Records the reference schemas of kreuzwerker/docker (the provider terrane's Docker provider
# stands in for) from its source, since no plugin binary is available here: the Go schema
# definitions at a release tag, lowered as terraform-plugin-sdk v2 lowers them (see README.md).
#
#   tests/schema/regenerate.sh <git dir of kreuzwerker/terraform-provider-docker> [TAG]
#
# Writes kreuzwerker_docker.json (`terraform providers schema -json`'s shape),
# force_new_and_defaults.txt and extras.txt (what that format cannot hold), then checks the
# result against the documentation generated at the same tag.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
gitdir="${1:?the git directory of kreuzwerker/terraform-provider-docker}"
tag="${2:-v3.9.0}"
python3 "$here/gen/goschema.py" "$gitdir" "$tag" "$here/kreuzwerker_docker.json" \
  "$here/force_new_and_defaults.txt" "${tag#v}" "$here/extras.txt"
python3 "$here/gen/doccheck.py" "$gitdir" "$tag" "$here/kreuzwerker_docker.json"
