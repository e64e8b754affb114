# Shared by the bench scripts (sourced, from the repository root): a release build, a work
# directory with a development PKI, and a fleetmq started on it.

# bench_prepare DEVICES: set-up, release build, $work with a PKI of DEVICES device certificates
# (removed at exit, with any broker still running).
bench_prepare() {
  bash deploy/dev/setup.sh
  FLEETMQ_BUILD_DIR=build-release FLEETMQ_BUILD_TYPE=Release bash deploy/dev/build.sh >/dev/null
  work=$(mktemp -d)
  trap 'pkill -TERM -P $$ 2>/dev/null || true; kill "${broker:-0}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
  build-release/tests/support/fleetmq-test-pki "$work" --port 0 --devices "$1" >/dev/null
}

# start_fleetmq [TOML LINES]: appends the lines to $work/fleetmq.toml, starts the broker and
# sets $broker (pid), $port (MQTT) and $admin (HTTP). FLEETMQ_LEAN=1 turns lean_records on.
start_fleetmq() {
  [ $# -eq 0 ] || printf '\n%s\n' "$@" >>"$work/fleetmq.toml"
  # FLEETMQ_LEAN=1: the listener protects records with the lean layer after TLS 1.3 handshakes.
  if [ "${FLEETMQ_LEAN:-0}" = 1 ] && ! grep -q '^lean_records' "$work/fleetmq.toml"; then
    sed -i 's/^key = "server.key"$/&\nlean_records = true/' "$work/fleetmq.toml"
  fi
  build-release/broker/fleetmq --config "$work/fleetmq.toml" --ready-file "$work/ready" \
    >"$work/broker.log" 2>&1 &
  broker=$!
  for _ in $(seq 200); do [ -f "$work/ready" ] && break; sleep 0.05; done
  port=$(awk 'NR == 1 {print $2}' "$work/ready")
  admin=$(awk '$1 == "admin" {print $3}' "$work/ready")
}

# wait_until_held N PID: waits (up to 5 minutes) until the broker at $admin holds N vendor-a
# devices, or process PID (the flood) has ended; prints how many it holds.
wait_until_held() {
  local held=0
  for _ in $(seq 600); do
    held=$(curl -s "http://127.0.0.1:$admin/metrics" |
      awk '/^fleetmq_connections\{trust="vendor-a"\}/ {print $2}')
    [ "${held:-0}" -ge "$1" ] && break
    kill -0 "$2" 2>/dev/null || break
    sleep 0.5
  done
  echo "${held:-0}"
}

# bench_python SCRIPT [ARGS]: set-up, release build, then tests/integration/SCRIPT with
# Debian's Python against the release broker and test PKI (the figures of the Python benches).
bench_python() {
  bash deploy/dev/setup.sh
  FLEETMQ_BUILD_DIR=build-release FLEETMQ_BUILD_TYPE=Release bash deploy/dev/build.sh >/dev/null
  (
    export FLEETMQ_BINARY=$PWD/build-release/broker/fleetmq
    export FLEETMQ_TEST_PKI=$PWD/build-release/tests/support/fleetmq-test-pki
    cd tests/integration && /usr/bin/python3 "$@"
  )
}
