#!/usr/bin/env bash
# The benchmark of mscommerce, in one command (docs/PERFORMANCE.md):
#
#   bench/run.sh
#
# Builds `mscommerce` and the benchmark in release, seeds a SQLite store of 10,000 tenants, and drives a bare axum
# server and mscommerce with wrk (servers on core 0, wrk on core 1); prints the table and the targets. Takes about
# two minutes after the build. Installs wrk (and taskset, and perf when profiling) from Debian's packages when
# missing. Only 127.0.0.1 is contacted; every load is bounded in time.
#
# Settings (environment):
#   CARGO_TARGET_DIR   where to build (default: cargo's, ./target); the working files go to <it>/release/bench-work
#   TENANTS=10000 TOKENS=<TENANTS> CONNECTIONS=64 DURATION=10 WARMUP=2 SERVER_CORE=0 LOAD_CORE=1
#   SCENARIOS=product,list,decision,put,baseline   a subset (the bare server always runs: it is the reference)
#   PROFILE=1          also record a CPU profile of mscommerce (perf) per scenario and print its hottest functions
#   KEEP=1             keep the working folder (database, logs, wrk scripts, profiles)
# `target/release/mscommerce-bench --help` describes them too.
set -euo pipefail
cd "$(dirname "$0")/.."

install() { # command package
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "installing $2 (for $1)" >&2
    apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
  fi
}
install wrk wrk
install taskset util-linux
install timeout coreutils
if [[ "${PROFILE:-0}" != 0 && -n "${PROFILE:-}" ]]; then
  install perf linux-perf
fi

cargo build --release --quiet --bin mscommerce --bin mscommerce-bench
# Where cargo put them: CARGO_TARGET_DIR, a build.target-dir of a cargo config, or ./target.
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')
exec "$target_dir/release/mscommerce-bench" "$@"
