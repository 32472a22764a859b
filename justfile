# Paddock's development loop. `just --list` shows the recipes.

# Format the code.
fmt:
    cargo fmt --all

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Every test; the PostgreSQL half runs when a server answers.
test:
    cargo test

# Every test, failing if PostgreSQL does not answer (as CI).
test-pg:
    PADDOCK_TEST_REQUIRE_POSTGRES=1 cargo test

# Everything CI runs.
ci:
    .ci/run

# Serve on SQLite in ./paddock-data.
run *ARGS:
    cargo run --release --bin paddock -- serve {{ARGS}}

# The benchmark harness on SQLite and PostgreSQL, release build (a few minutes); see docs/PERFORMANCE.md.
bench *ARGS:
    cargo build --release -p paddock-server --bin paddock
    cargo build --release -p paddock-bench
    target/release/paddock-bench {{ARGS}}

# The harness's smoke run (seconds): every scenario with tiny sizes, as CI runs it.
bench-smoke *ARGS:
    cargo build --release -p paddock-server --bin paddock
    cargo build --release -p paddock-bench
    target/release/paddock-bench --smoke {{ARGS}}
