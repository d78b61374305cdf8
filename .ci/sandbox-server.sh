# Sourced by the CI scripts that drive a real server: builds the binary and starts it in sandbox
# mode on a fresh database and a free port, stopped and dropped on exit.
# After `sandbox_server NAME`: $bin, $port, $base and $work are set.
pg="postgres://postgres@127.0.0.1:5432"

sandbox_server() {
  db="realname_${1}_$$"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  work=$(mktemp -d)
  cargo build -q -p realname-server --bin realname
  bin=target/debug/realname
  export REALNAME__DATABASE__URL="$pg/$db" REALNAME__HTTP__LISTEN="127.0.0.1:$port" \
    REALNAME__TELEMETRY__FILTER=error REALNAME__RATE_LIMIT__ENABLED=false \
    REALNAME__TELEMETRY__METRICS_LISTEN=127.0.0.1:0
  "$bin" serve >"$work/server.log" 2>&1 &
  server=$!
  trap stop_sandbox_server EXIT
  for _ in $(seq 1 300); do curl -sf "$base/readyz" >/dev/null && return 0; sleep 0.1; done
  cat "$work/server.log"
  echo "the server did not become ready"
  return 1
}

stop_sandbox_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  psql -q "$pg/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" || true
  rm -rf "$work"
}
