#!/usr/bin/env bash
# Installs and starts what the tests need, idempotently, and fails loudly if it cannot:
#  - moto (AWS emulator) in .venv-moto, serving on 127.0.0.1:5000   (for providers/aws)
#  - dockerd with a one-node swarm                                  (for providers/docker)
#  - Terraform 1.11 and the hashicorp/aws plugin's mirror, found     (for the hand-over tests)
# Each part runs only when the crate that needs it is in the workspace.
set -euo pipefail
cd "$(dirname "$0")/../.."

need_aws=false; need_docker=false
[ -f providers/aws/Cargo.toml ] && need_aws=true
[ -f providers/docker/Cargo.toml ] && need_docker=true

if $need_aws; then tests/env/moto.sh; tests/env/terraform.sh; fi
if $need_docker; then tests/env/docker.sh; tests/env/sshd.sh; fi
if ! $need_aws && ! $need_docker; then
  echo "no provider crate needs an external service; nothing to set up"
fi
