#!/usr/bin/env bash
# The load benchmark. In one run, on this machine:
#   - the reference: pgbench -S and pgbench TPC-B (scale 10, -c 8 -j 2 -T 15);
#   - seeds 100,000 accounts with COPY (75% verified, 25% unverified: enough for the
#     verification drive);
#   - starts the release server and times process start → /readyz 200;
#   - capabilities: wrk -t2 -c64 -d15s on GET /v1/accounts/{random id}/capabilities with a
#     service token, with p50 and p99, after a 5 s run that warms the capability cache;
#   - instant verification: complete verifications per second (application, signed provider
#     event, approved under the quota lock) by `realname-bench verify`, 16 at a time, 15 s;
#   - the server's peak RSS over all of it;
# The server runs with rate limits off: the drivers are one address making holder calls.
# and prints the ratios of the load targets.
#
# Usage: crates/bench/load.sh        (PERF_OUT=dir then profiles the server with perf in extra
#                                     runs, after the measured ones, so the figures stay clean)
set -euo pipefail
cd "$(dirname "$0")/../.."
. crates/bench/lib.sh

pg="postgres://postgres@127.0.0.1:5432"
db=realname_load
port=18480
work=$(mktemp -d)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
quiet() { psql -q "$pg/postgres" -c "SET client_min_messages = warning" "$@"; }

cargo build --release -q -p realname-server -p realname-bench
bin=target/release

echo "== reference: pgbench, scale 10"
quiet -c "DROP DATABASE IF EXISTS realname_load_pgbench" -c "CREATE DATABASE realname_load_pgbench"
read -r select_tps tpcb_tps < <(pgbench_reference "$pg/realname_load_pgbench")
echo "  pgbench -S tps: $select_tps"
echo "  pgbench TPC-B tps: $tpcb_tps"
quiet -c "DROP DATABASE IF EXISTS realname_load_pgbench"

echo "== seeding 100000 accounts"
quiet -c "DROP DATABASE IF EXISTS $db"
REALNAME__DATABASE__URL="$pg/$db" "$bin/realname" migrate >/dev/null 2>&1
"$bin/realname-bench" seed --to 100000 --unverified-every 4 --dir "$work"
copy_seed "$work" "$pg/$db"
psql -At "$pg/$db" -c "SELECT 'acct_' || replace(id::text, '-', '') FROM accounts WHERE status = 'verified'" > "$work/verified.txt"
psql -At "$pg/$db" -c "SELECT 'acct_' || replace(id::text, '-', '') FROM accounts WHERE status = 'unverified'" > "$work/unverified.txt"
echo "  $(wc -l < "$work/verified.txt") verified, $(wc -l < "$work/unverified.txt") unverified"

echo "== start-up"
start_ns=$(date +%s%N)
REALNAME__DATABASE__URL="$pg/$db" REALNAME__HTTP__LISTEN="127.0.0.1:$port" \
REALNAME__SCHEDULER__ENABLED=false REALNAME__TELEMETRY__FILTER=warn REALNAME__RATE_LIMIT__ENABLED=false \
  REALNAME__TELEMETRY__METRICS_LISTEN=127.0.0.1:0 \
  "$bin/realname" serve >/dev/null 2>&1 &
server_pid=$!
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; do sleep 0.005; done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "  process start to /readyz 200: ${ready_ms} ms (target <= 1000 ms)"

echo "== capabilities: wrk -t2 -c64 -d15s"
token=$("$bin/realname" token --role service 2>/dev/null)
capabilities() {  # capabilities SECONDS OUT
  IDS="$work/verified.txt" TOKEN="$token" wrk -t2 -c64 -d"$1"s --latency \
    -s crates/bench/capabilities.lua "http://127.0.0.1:$port" > "$2"
}
capabilities 5 /dev/null  # warm-up: fills the cache, as on a replica that has been serving
capabilities 15 "$work/wrk.txt"
grep -E 'Requests/sec|Non-2xx|Socket errors|50%|99%' "$work/wrk.txt" | sed 's/^/  /'
caps_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")

echo "== instant verification: 16 at a time, 15 s"
verify() {  # verify SECONDS: the unverified accounts not used yet
  tail -n +"$(( used + 1 ))" "$work/unverified.txt" > "$work/next.txt"
  "$bin/realname-bench" verify --base "http://127.0.0.1:$port" --accounts "$work/next.txt" \
    --seconds "$1" --concurrency 16
}
used=0
verify 15 | tee "$work/verify.txt" | sed 's/^/  /'
verify_rate=$(awk -F': ' '/^verifications\/s/ {print $2}' "$work/verify.txt")
used=$(awk -F': ' '/^verifications (approved|failed)/ {n += $2} END {print n}' "$work/verify.txt")

rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
if [ -n "${PERF_OUT:-}" ]; then  # profiles, from runs whose figures are not reported
  echo "== perf profiles into $PERF_OUT"
  perf record -F 499 -g -p "$server_pid" -o "$PERF_OUT/capabilities.data" -- sleep 8 >/dev/null 2>&1 &
  capabilities 10 /dev/null
  wait $!
  perf record -F 499 -g -p "$server_pid" -o "$PERF_OUT/verify.data" -- sleep 8 >/dev/null 2>&1 &
  verify 10 >/dev/null
  wait $!
fi
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

echo "== ratios"
printf '  capabilities: %.0f req/s / pgbench -S %.0f tps = %.3f (target >= 1.0)\n' "$caps_rps" "$select_tps" "$(echo "$caps_rps / $select_tps" | bc -l)"
printf '  instant verification: %.1f /s / TPC-B %.0f tps = %.3f (target >= 0.5)\n' "$verify_rate" "$tpcb_tps" "$(echo "$verify_rate / $tpcb_tps" | bc -l)"
printf '  server peak RSS: %.1f MB (target <= 100 MB)\n' "$(echo "$rss_kb / 1024" | bc -l)"
printf '  start-up to ready: %d ms (target <= 1000 ms)\n' "$ready_ms"
quiet -c "DROP DATABASE IF EXISTS $db"
