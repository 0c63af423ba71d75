# terrane's everyday recipes. `just --list` shows them.
export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", "/var/tmp/terrane-target")

default:
    @just --list

# Build the terrane binary (release).
build:
    cargo build --release

# The main job on its embedded default: plan the quickstart example with local state.
demo:
    cargo run --release -- -chdir=examples/quickstart plan

# The whole test suite (sets up moto and a one-node swarm when provider tests need them).
test *ARGS:
    tests/run.sh {{ARGS}}

# Only set up the test environment.
test-env:
    tests/env/setup.sh

# Benchmarks: plan of 10,000 terraform_data resources (wall time, peak memory), and more.
bench *ARGS:
    cargo bench --bench plan -- {{ARGS}}

# refresh of 300 instances, 300 security groups, 300 subnets and 50 log groups on moto: API calls
bench-aws *ARGS:
    cargo bench --bench aws_refresh -- {{ARGS}}

# apply of 1,000 resources (wide, deep, diamond) against the ideal schedule
bench-apply *ARGS:
    cargo bench --features fake-provider --bench apply -- {{ARGS}}

fmt:
    cargo fmt --all

lint:
    cargo clippy --workspace --all-targets --all-features -- -D warnings
