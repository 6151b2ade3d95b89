# Sourced by the benchmark scripts: starts /usr/bin/docker-registry (or $KANIKO_TEST_REGISTRY_BIN) on a free
# loopback port, storing under DIR/data. Sets registry_port and registry_pid; stop_local_registry ends it.
# Usage: source benchmarks/local-registry.sh; start_local_registry DIR; ...; stop_local_registry
registry_pid=""
registry_port=""

start_local_registry() {
  local dir="$1"
  local bin="${KANIKO_TEST_REGISTRY_BIN:-/usr/bin/docker-registry}"
  registry_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  cat >"$dir/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: '$dir/data'
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$registry_port
  secret: 'kaniko-benchmark'
YAML
  # The registry runs beside the measured process, not under it.
  "$bin" serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$registry_port/v2/" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "the registry did not start; see $dir/registry.log" >&2
  return 1
}

stop_local_registry() {
  if [[ -n "$registry_pid" ]]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
    registry_pid=""
  fi
}
