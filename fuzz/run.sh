#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), inputs up to 1 MiB so deep nesting is
# reachable. Installs cargo-fuzz if missing; needs the nightly toolchain (rustup).
# Findings land in fuzz/artifacts/TARGET/; the corpus grows in fuzz/corpus/TARGET/ (not committed).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi

for target in client_response simulator_request seal_input mask_text mask_by_value; do
    mkdir -p "corpus/$target"
    echo "== $target: ${seconds}s"
    cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -max_len=1048576 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1
done
