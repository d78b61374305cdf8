#!/usr/bin/env bash
# The production-mix benchmark (issue 17). In one run, on this machine:
#   1. the references: pgbench -S and TPC-B (scale 10, -c 8 -j 2 -T 15);
#   2. seeds 1,000,000 accounts with COPY, the mix of `realname-bench seed --mix`: 65% verified
#      persons, 10% verified enterprises, 15% unverified, 10% inheriting sub-accounts (R16);
#   3. starts two replicas of the release server on the one database, with the default logging
#      (info, to a file each) and rate limits off; the scheduler is off in both, and the
#      re-check runs as its own process (`realname recheck --once --all`), as a lease holder;
#   4. for 30 s, at once:
#      - wrk -t1 -c32 on GET /v1/accounts/{random id}/capabilities against each replica;
#      - `realname-bench mix`: verifications, 8 at a time (closed loop, split over the replicas;
#        a submission plus a signed provider event, ending approved), and the change drive
#        (freezes and closures at 50/s, theft revocations at 2/s) with its staleness checker;
#      - the re-check over the seeded enterprises, against the loopback registry fake (1%
#        deregistered), at its configured rate;
#   5. counts the statements per verification with log_statement = all over 100 verifications,
#      in a phase of its own after the timed one;
#   6. prints the figures against their targets, with each replica's peak RSS.
#
# Usage: crates/bench/mix.sh [--invalidation-off]
#   --invalidation-off disables the trigger that tells replicas about changes (migration 11):
#   the staleness checker must then report violations.
# PERF_OUT=DIR records the whole machine with perf for 10 s inside the window (mix.data).
# MIX_BIN=DIR runs the realname and realname-bench binaries found there instead of building
# (an A/B of two builds in one sitting). MIX_ACCOUNTS=N seeds N accounts instead (a multiple of 20); MIX_KEEP=DIR keeps the statement
# log and the replicas' logs there.
set -euo pipefail
cd "$(dirname "$0")/../.."
. crates/bench/lib.sh

invalidation=on
[ "${1:-}" = "--invalidation-off" ] && invalidation=off
accounts=${MIX_ACCOUNTS:-1000000}
seconds=30
pg="postgres://postgres@127.0.0.1:5432"
db=realname_mix
url="$pg/$db"
ports=(18481 18482)
registry_port=18490
pg_log=/var/log/postgresql/postgresql-15-main.log
work=$(mktemp -d)
pids=()
quiet() { psql -q "$pg/postgres" -c "SET client_min_messages = warning" "$@"; }
statement_logging() {  # statement_logging all|off
  if [ "$1" = all ]; then quiet -c "ALTER SYSTEM SET log_statement = 'all'"
  else quiet -c "ALTER SYSTEM RESET log_statement"; fi
  quiet -c "SELECT pg_reload_conf()" >/dev/null
}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  statement_logging off 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
bin=${MIX_BIN:-target/release}
[ -n "${MIX_BIN:-}" ] || cargo build --release -q -p realname-server -p realname-bench

echo "== references: pgbench, scale 10, -c 8 -j 2 -T 15"
quiet -c "DROP DATABASE IF EXISTS realname_mix_pgbench" -c "CREATE DATABASE realname_mix_pgbench"
read -r select_tps tpcb_tps < <(pgbench_reference "$pg/realname_mix_pgbench")
quiet -c "DROP DATABASE IF EXISTS realname_mix_pgbench"
echo "  pgbench -S tps: $select_tps"
echo "  pgbench TPC-B tps: $tpcb_tps"

echo "== seeding $accounts accounts with COPY"
quiet -c "DROP DATABASE IF EXISTS $db"
REALNAME__DATABASE__URL="$url" "$bin/realname" migrate >/dev/null 2>&1
started=$(date +%s.%N)
"$bin/realname-bench" seed --mix --to "$accounts" --dir "$work"
copy_seed "$work" "$url"
printf '  seeded in %.0f s:' "$(echo "$(date +%s.%N) - $started" | bc)"
cut -d, -f1 "$work/roster.csv" | sort | uniq -c | awk '{printf " %s %s,", $1, $2}' | sed 's/,$/\n/'
cut -d, -f3 "$work/roster.csv" > "$work/ids.txt"
grep '^unverified,' "$work/roster.csv" | cut -d, -f3 | tail -n 100 > "$work/statements.txt"
if [ "$invalidation" = off ]; then
  echo "== invalidation OFF: the capability trigger is disabled; the checker must see violations"
  psql -q "$url" -c "ALTER TABLE accounts DISABLE TRIGGER accounts_capability_changed"
fi

"$bin/realname-bench" registry --listen "127.0.0.1:$registry_port" --finding-every 100 &
pids+=($!)
replica_pids=()
for n in 0 1; do
  REALNAME__DATABASE__URL="$url" REALNAME__HTTP__LISTEN="127.0.0.1:${ports[$n]}" \
  REALNAME__SCHEDULER__ENABLED=false REALNAME__RATE_LIMIT__ENABLED=false \
  REALNAME__TELEMETRY__METRICS_LISTEN=127.0.0.1:0 \
    "$bin/realname" serve > "$work/replica$n.log" 2>&1 &
  pids+=($!)
  replica_pids+=($!)
done
bases="http://127.0.0.1:${ports[0]},http://127.0.0.1:${ports[1]}"
for port in "${ports[@]}"; do
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; do sleep 0.05; done
done

echo "== the mix, ${seconds} s: wrk on each replica, verifications, changes, the re-check"
token=$("$bin/realname" token --role service 2>/dev/null)
for n in 0 1; do
  IDS="$work/ids.txt" TOKEN="$token" wrk -t1 -c32 -d"${seconds}s" --latency \
    -s crates/bench/capabilities.lua "http://127.0.0.1:${ports[$n]}" > "$work/wrk$n.txt" &
  pids+=($!)
done
REALNAME__DATABASE__URL="$url" REALNAME__REGISTRY__BASE_URL="http://127.0.0.1:$registry_port" \
REALNAME__SANDBOX__ENABLED=false REALNAME__TELEMETRY__FILTER=warn \
  timeout -s INT "$((seconds + 1))" "$bin/realname" recheck --once --all > "$work/recheck.txt" 2>&1 &
recheck_pid=$!
if [ -n "${PERF_OUT:-}" ]; then  # the whole machine, 10 s from the 10th second of the window
  (sleep 10 && perf record -a -g -F 199 -o "$PERF_OUT/mix.data" -- sleep 10 >/dev/null 2>&1) &
fi
# What the bench database's active backends wait on, sampled every 0.1 s from the 5th second
# for 20 s: CPU when they wait on nothing. NOTIFY's commit-time lock (PreCommit_Notify locks the
# database's notify queue object) shows as Lock:object; the commits' WAL flush as IO:WALSync.
# One psql session, \watch every 0.1 s, so that the sampling costs next to nothing.
(sleep 5; echo "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity WHERE datname = '$db' AND state = 'active' AND pid <> pg_backend_pid() \\watch 0.1" \
  | timeout 20 psql -At "$pg/postgres") > "$work/waits.txt" 2>/dev/null &
"$bin/realname-bench" mix --base "$bases" --roster "$work/roster.csv" --seconds "$seconds" \
  --keep-unverified 100 > "$work/mix.txt"
wait "${pids[@]:3}" 2>/dev/null || true
wait "$recheck_pid" 2>/dev/null || true
sed 's/^/  /' "$work/mix.txt"
for n in 0 1; do
  echo "  replica $n wrk: $(awk '/Requests\/sec/ {print $2}' "$work/wrk$n.txt") req/s," \
    "p50 $(wrk_ms "$work/wrk$n.txt" 50) ms, p99 $(wrk_ms "$work/wrk$n.txt" 99) ms," \
    "$(awk '/Non-2xx/ {n = $5} END {print n + 0}' "$work/wrk$n.txt") non-2xx"
done
for n in 0 1; do
  echo "  replica $n: $(sed 's/\x1b\[[0-9;]*m//g' "$work/replica$n.log" | grep -o 'capability cache warm.*' | head -n 1)"
done
echo "  what the database's active backends waited on (samples):" \
  "$(grep . "$work/waits.txt" | sort | uniq -c | sort -rn | head -n 6 | awk '{printf "%s %s; ", $2, $1}')"
echo "  re-check: $(grep -c . "$work/recheck.txt") lines of output; last: $(tail -n 1 "$work/recheck.txt")"

echo "== statements per verification: log_statement = all, 100 verifications"
offset=$(stat -c %s "$pg_log")
statement_logging all
sleep 1
"$bin/realname-bench" verify --base "$bases" --accounts "$work/statements.txt" --seconds 120 \
  --concurrency 2 > "$work/statements-run.txt"
sleep 1
statement_logging off
verified_for_count=$(awk -F': ' '/^verifications approved/ {print $2}' "$work/statements-run.txt")
# Every statement of the bench database, less the capability cache's pings (not a verification's).
tail -c +"$((offset + 1))" "$pg_log" | grep -a "@$db " | grep -aE 'LOG:  (statement|execute)' > "$work/statements.log" || true
[ -n "${MIX_KEEP:-}" ] && cp "$work/statements.log" "$work"/replica*.log "$MIX_KEEP"/
pings=$(grep -ac 'pg_notify' "$work/statements.log" || true)
statements=$(( $(wc -l < "$work/statements.log") - pings ))
per_verification=$(echo "$statements / $verified_for_count" | bc -l)
printf '  %d statements (and %d pings left out) over %d verifications: %.1f each\n' \
  "$statements" "$pings" "$verified_for_count" "$per_verification"

rss=()
for pid in "${replica_pids[@]}"; do
  rss+=("$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")")
done

caps_rps=$(cat "$work"/wrk[01].txt | awk '/Requests\/sec/ {s += $2} END {print s}')
p50=$(for n in 0 1; do wrk_ms "$work/wrk$n.txt" 50; echo; done | sort -g | tail -n 1)
p99=$(for n in 0 1; do wrk_ms "$work/wrk$n.txt" 99; echo; done | sort -g | tail -n 1)
verify_rate=$(awk -F': ' '/^verifications\/s/ {print $2}' "$work/mix.txt")
bound=$(awk -F': ' '/^staleness bound ms/ {print $2}' "$work/mix.txt")
stale_max=$(awk -F': ' '/^staleness max ms/ {print $2}' "$work/mix.txt")
stale_p99=$(awk -F': ' '/^staleness p99 ms/ {print $2}' "$work/mix.txt")
violations=$(awk -F': ' '/^staleness violations/ {print $2}' "$work/mix.txt")
never=$(awk -F': ' '/^changes never seen/ {print $2}' "$work/mix.txt")
verdict() { if [ "$(echo "$1" | bc -l)" = 1 ]; then echo met; else echo "NOT met"; fi; }

echo "== figures (invalidation $invalidation)"
caps_ratio=$(echo "$caps_rps / $select_tps" | bc -l)
printf '  capabilities under writes: %.0f req/s / pgbench -S %.0f tps = %.3f (target >= 1.0: %s)\n' \
  "$caps_rps" "$select_tps" "$caps_ratio" "$(verdict "$caps_ratio >= 1.0")"
printf '  capabilities latency, the slower replica: p50 %s ms, p99 %s ms (target p99 <= 10 ms: %s)\n' \
  "$p50" "$p99" "$(verdict "$p99 <= 10")"
verify_ratio=$(echo "$verify_rate / $tpcb_tps" | bc -l)
printf '  instant verification: %.1f /s / TPC-B %.0f tps = %.3f (target >= 0.25: %s; long-run 0.5)\n' \
  "$verify_rate" "$tpcb_tps" "$verify_ratio" "$(verdict "$verify_ratio >= 0.25")"
printf '  statements per verification: %.1f (target <= 14: %s)\n' \
  "$per_verification" "$(verdict "$per_verification <= 14")"
for n in 0 1; do
  printf '  replica %d peak RSS: %s MB (target <= 150 MB: %s)\n' "$n" "${rss[$n]}" "$(verdict "${rss[$n]} <= 150")"
done
printf '  staleness: max %s ms, p99 %s ms, %s violations, %s never seen (target <= %s ms, 0 violations: %s)\n' \
  "$stale_max" "$stale_p99" "$violations" "$never" "$bound" \
  "$(verdict "$stale_max <= $bound && $violations == 0 && $never == 0")"
for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()
quiet -c "DROP DATABASE IF EXISTS $db"
