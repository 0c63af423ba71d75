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

# apply of 50 swarm services on the local daemon against one service's converge time
bench-docker *ARGS:
    cargo bench --bench docker_services -- {{ARGS}}

# plan through the real hashicorp/aws plugin on moto: terrane against Terraform, same plugin and state
bench-plugin *ARGS:
    cargo bench --bench plugin -- {{ARGS}}

# Long fuzzing run of the parser, evaluator, state reader and plan reader (property tests with a
# random seed; the ordinary test run uses a fixed seed and a few hundred cases). CASES per property.
fuzz CASES="20000":
    TERRANE_FUZZ_CASES={{CASES}} TERRANE_FUZZ_SEED=random cargo test --release -p terrane-engine --test robustness

fmt:
    cargo fmt --all

lint:
    cargo clippy --workspace --all-targets --all-features -- -D warnings
