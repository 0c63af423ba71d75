#!/usr/bin/env bash
# The whole test suite. Sets up what the tests need first (idempotently; see tests/env/),
# then checks formatting and lints, then runs every test of every crate.
#   tests/run.sh            everything
#   tests/run.sh -- ARGS    extra arguments for the test runner (e.g. a filter)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/terrane-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

step "test environment"
tests/env/setup.sh
if [ -f providers/aws/Cargo.toml ]; then tests/env/moto_test.sh; fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

step "tests"
extra=()
if [ "${1:-}" = "--" ]; then shift; extra=("$@"); fi
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --all-features --locked --no-fail-fast "${extra[@]}"
  # nextest does not run doctests
  cargo test --workspace --all-features --locked --doc
else
  cargo test --workspace --all-features --locked --no-fail-fast "${extra[@]}"
fi
