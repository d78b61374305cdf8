# Shared by the benchmark scripts (sourced).

# copy_seed DIR URL: loads what `realname-bench seed` wrote into DIR with COPY, then analyzes.
copy_seed() {
  local columns
  columns=$("${bin:-target/release}/realname-bench" columns)
  psql -q "$2" \
    -c "\\copy phone_numbers (phone_key) FROM '$1/phones.csv' WITH (FORMAT csv)" \
    -c "\\copy subjects (subject_key, subject_type) FROM '$1/subjects.csv' WITH (FORMAT csv)" \
    -c "\\copy accounts ($columns) FROM '$1/accounts.csv' WITH (FORMAT csv)" \
    -c "VACUUM ANALYZE"
}

# wrk_ms FILE PERCENT: a latency percentile of a `wrk --latency` report, in milliseconds.
wrk_ms() {
  awk -v p="$2%" '$1 == p {
    v = $2; unit = v; gsub(/[0-9.]/, "", unit); sub(/[a-z]+$/, "", v)
    if (unit == "us") v /= 1000; else if (unit == "s") v *= 1000
    printf "%.2f", v; exit }' "$1"
}

# pgbench_reference URL: prints "SELECT_TPS TPCB_TPS", pgbench scale 10, -c 8 -j 2 -T 15.
pgbench_reference() {
  pgbench -q -i -s 10 "$1" >/dev/null 2>&1
  local select tpcb
  select=$(pgbench -S -c 8 -j 2 -T 15 "$1" 2>/dev/null | awk '/^tps/ {print $3; exit}')
  tpcb=$(pgbench -c 8 -j 2 -T 15 "$1" 2>/dev/null | awk '/^tps/ {print $3; exit}')
  echo "$select $tpcb"
}
