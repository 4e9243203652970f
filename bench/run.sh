#!/usr/bin/env bash
# The benchmark of mscommerce, in one command (docs/PERFORMANCE.md):
#
#   bench/run.sh
#
# Builds `mscommerce` and the benchmark in release, seeds a SQLite store of 10,000 tenants, and drives a bare axum
# server and mscommerce with wrk (servers on core 0, wrk on core 1); prints the table, the caches' figures, the
# cold start and the targets. Takes about three minutes after the build. Installs wrk (and taskset, and perf when profiling) from Debian's packages when
# missing. Only 127.0.0.1 is contacted; every load is bounded in time.
#
# A million tenants, on SQLite and on PostgreSQL (seeded with COPY into a database of its own, dropped after):
#
#   TENANTS=1000000 bench/run.sh
#   DATABASE=postgres TENANTS=1000000 bench/run.sh
#
# Settings (environment):
#   CARGO_TARGET_DIR   where to build (default: cargo's, ./target); the working files go to <it>/release/bench-work
#   TENANTS=10000 VALUES=29 (3 above 100,000 tenants) TOKENS=10000 CONNECTIONS=64 DURATION=10 WARMUP=2
#   SERVER_CORE=0 LOAD_CORE=1 DATABASE=sqlite|postgres POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
#   SCENARIOS=product,list,decision,put,baseline,product-wide,cold   a subset (bare always runs)
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
