#!/usr/bin/env bash
# The R17 re-check benchmark. For each size (default 100000 and 1000000):
#   1. creates a fresh database and migrates it;
#   2. seeds N verified enterprises, one account each, with COPY;
#   3. starts the loopback fake registry (~1% findings);
#   4. runs one full cycle, `realname recheck --once --all`, with the rate limit lifted,
#      under /usr/bin/time, and prints enterprises per second and the peak RSS.
# A pgbench select-only run on the same machine, in the same run, is the reference figure.
#
# Usage: crates/bench/run.sh [N ...]     (builds release binaries first)
set -euo pipefail
cd "$(dirname "$0")/../.."
. crates/bench/lib.sh

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
pg="postgres://postgres@127.0.0.1:5432"
port=9471
work=$(mktemp -d)
trap 'kill ${registry_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release -q -p realname-server -p realname-bench
bin=target/release

echo "reference: pgbench -S (select-only), 2 clients, 15 s"
psql -q "$pg/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS realname_bench_pgbench" -c "CREATE DATABASE realname_bench_pgbench"
pgbench -q -i -s 10 "$pg/realname_bench_pgbench" >/dev/null 2>&1
ref_tps=$(pgbench -S -c 2 -j 2 -T 15 "$pg/realname_bench_pgbench" 2>/dev/null | awk '/^tps/ {print $3; exit}')
echo "  pgbench tps: $ref_tps"

"$bin/realname-bench" registry --listen "127.0.0.1:$port" --finding-every 100 &
registry_pid=$!
sleep 1

for n in "${sizes[@]}"; do
  db="realname_bench_$n"
  url="$pg/$db"
  echo "== $n enterprises"
  psql -q "$pg/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
  REALNAME__DATABASE__URL="$url" "$bin/realname" migrate >/dev/null 2>&1
  start=$(date +%s.%N)
  "$bin/realname-bench" seed --to "$n" --dir "$work"
  copy_seed "$work" "$url"
  echo "  seeded with COPY in $(echo "$(date +%s.%N) - $start" | bc) s"

  REALNAME__DATABASE__URL="$url" \
  REALNAME__SANDBOX__ENABLED=false \
  REALNAME__REGISTRY__BASE_URL="http://127.0.0.1:$port" \
  REALNAME__RECHECK__RATE_PER_SECOND=0 \
  REALNAME__RECHECK__CONCURRENCY=64 \
  REALNAME__RECHECK__BATCH=1000 \
  REALNAME__TELEMETRY__FILTER=warn \
    /usr/bin/time -f "peak_rss_kb %M" -o "$work/time" "$bin/realname" recheck --once --all > "$work/out"
  cat "$work/out" | sed 's/^/  /'
  processed=$(awk -F': ' '/^enterprises processed/ {print $2}' "$work/out")
  elapsed=$(awk -F': ' '/^elapsed/ {print $2}' "$work/out" | cut -d' ' -f1)
  rss_kb=$(awk '/peak_rss_kb/ {print $2}' "$work/time")
  rate=$(echo "$processed / $elapsed" | bc -l)
  printf '  enterprises/s: %.0f (target >= 5000); ratio to pgbench tps: %.3f\n' "$rate" "$(echo "$rate / $ref_tps" | bc -l)"
  printf '  peak RSS: %.1f MB (target <= 150 MB at 1M)\n' "$(echo "$rss_kb / 1024" | bc -l)"
  echo "$n $rate $rss_kb" >> "$work/summary"
  psql -q "$pg/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
done

if [ "$(wc -l < "$work/summary")" -ge 2 ]; then
  small=$(head -1 "$work/summary" | awk '{print $3}')
  large=$(tail -1 "$work/summary" | awk '{print $3}')
  printf 'peak RSS ratio, largest to smallest size: %.2f (target <= 1.2)\n' "$(echo "$large / $small" | bc -l)"
fi
psql -q "$pg/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS realname_bench_pgbench"
