#!/usr/bin/env bash
# The benchmark, in one command: builds in release, seeds 10,000 tenants, and drives a bare axum server and
# mscommerce with wrk (the server on core 0, the load on core 1). Prints the figures; see docs/PERFORMANCE.md.
# Optional: DURATION=10 (seconds per scenario), CONNECTIONS=64, TENANTS=10000.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq wrk
fi
if ! command -v taskset >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq util-linux
fi
cargo build --release --quiet --bin mscommerce --bin mscommerce-bench
exec target/release/mscommerce-bench "$@"
