#!/usr/bin/env bash
# Instructions and allocations per request, by function (valgrind's callgrind), for the scenarios of a benchmark
# run kept with KEEP=1 (docs/PERFORMANCE.md, "Where the time goes"):
#
#   KEEP=1 bench/run.sh                     # prints "kept <folder>"
#   bench/callgrind.sh <folder> [bare product list decision put]
#
# For each scenario: starts the server under callgrind on the kept database (the bare server for `bare`), warms it
# up with wrk for 8 s (8 connections, the scenario's script cut to its first 100 tokens, so that each token is
# verified once), then records 5 s of load and prints the requests answered, user-space instructions and malloc
# calls per request, and the functions of interest with their inclusive instructions per request. Instruction
# counts do not depend on how busy the machine is, unlike times. Valgrind runs the program about 50 times slower;
# the figures are per request. Installs valgrind when missing. Each step is bounded in time.
set -euo pipefail
work=${1:?usage: bench/callgrind.sh KEPT_FOLDER [SCENARIO...]}
shift
scenarios=("${@:-bare product list decision put}")
read -r -a scenarios <<<"${scenarios[*]}"
work=$(cd "$work" && pwd)
bin=$(cd "$work/../.." && pwd) # <target>/release
if ! command -v valgrind >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
fi
[[ -f "$work/server.env" ]] || { echo "$work/server.env: not a folder kept by KEEP=1 bench/run.sh" >&2; exit 2; }
# The tokens name the service's address as their issuer: the service listens on it again.
mapfile -t env <"$work/server.env"
address=$(sed -n 's/^MSCOMMERCE_LISTEN=//p' "$work/server.env")

# The scenario's wrk script with its first 100 tokens only.
cut_script() { # scenario -> path of the cut script
  awk 'BEGIN { n = 0 } /^local auth = \{/ { inside = 1; print; next }
       inside && /^\}/ { inside = 0 }
       inside { if (n++ < 100) print; next } { print }' "$work/$1.lua" >"$work/cg-$1.lua"
  echo "$work/cg-$1.lua"
}

for scenario in "${scenarios[@]}"; do
  [[ -f "$work/$scenario.lua" ]] || { echo "$scenario: no $work/$scenario.lua (skipped?)" >&2; continue; }
  script=$(cut_script "$scenario")
  out="$work/callgrind-$scenario.out"
  rm -f "$out" "$out".*
  if [[ $scenario == bare ]]; then
    cmd=("$bin/mscommerce-bench" bare "$address")
  else
    cmd=("$bin/mscommerce" serve)
  fi
  env "${env[@]}" valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" "${cmd[@]}" \
    >"$work/callgrind-$scenario.log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://$address/readyz" || true)
    [[ $code == 200 || ($scenario == bare && $code == 404) ]] && break
    sleep 0.2
  done
  # PUTs start far from the pairs the benchmark changed, so that each still changes a value.
  start=0; [[ $scenario == put ]] && start=5000000
  timeout 60 wrk -t1 -c8 -d8s -s "$script" "http://$address" -- "$start" >/dev/null
  callgrind_control -i on "$server" >/dev/null
  result=$(timeout 60 wrk -t1 -c8 -d5s -s "$script" "http://$address" -- $((start + 100000)) | sed -n 's/^RESULT //p')
  callgrind_control -i off "$server" >/dev/null
  callgrind_control -d "$server" >/dev/null
  sleep 1
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  read -r requests _ _ _ non_2xx _ <<<"$result"
  dump=$(ls "$out".* | tail -1)
  total=$(sed -n 's/^totals: //p' "$dump")
  # Calls to malloc. Names are compressed: "fn=(id) name" or "cfn=(id) name" the first time, "(id)" after; a
  # "calls=" line counts the calls to the function of the "cfn=" line before it.
  mallocs=$(awk '/^c?fn=\(/ { s = $0; sub(/^c?fn=\(/, "", s); id = s; sub(/\).*/, "", id)
                             if (sub(/^[0-9]+\) /, "", s)) name[id] = s
                             if ($0 ~ /^cfn=/) callee = name[id] }
                 /^calls=/ && callee == "malloc" { split($0, c, /[= ]/); n += c[2] }
                 END { print n + 0 }' "$dump")
  echo
  echo "== $scenario: $requests requests ($non_2xx not 2xx); per request: $((total / requests)) instructions," \
    "$(awk -v m="$mallocs" -v r="$requests" 'BEGIN { printf "%.1f", m / r }') malloc calls"
  callgrind_annotate --inclusive=yes --threshold=100 "$dump" 2>/dev/null |
    grep -E 'mscommerce_|Metrics|Correlation|TokenVerifier|DashMap.*_get|sip::Hasher|clone_box|Extensions::insert|serde_json::ser::Serializer|__rust_alloc$|__rust_dealloc|sqlite3_step|sqlite3_exec|sqlx_core::pool::Pool<DB>::(begin|acquire)|insert_url_params|poll_read_head|poll_write |Dispatcher<D,Bs,I,T>::poll_write' |
    head -30 |
    awk -v r="$requests" '{ n = $1; gsub(",", "", n); name = $0; sub(/^[^?]*\?\?\?:/, "", name); sub(/^[^ ]* +\([^)]*\) +/, "", name)
                            printf "  %8.0f  %s\n", n / r, substr(name, 1, 150) }' ||
    true # `head` closing the pipe early is not a failure
done
