#!/usr/bin/env bash
# Pushes and pulls a large blob (1 GiB by default) through the registry client to a local registry on 127.0.0.1
# and reports the client's peak resident set. The goal is under 150 MB: blobs are streamed, never buffered whole.
# Usage: benchmarks/blob-memory.sh [SIZE_MIB=1024] [CHUNK_MIB]   (needs /usr/bin/docker-registry)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size_mib="${1:-1024}"
chunk_mib="${2:-}"
registry_bin="${KANIKO_TEST_REGISTRY_BIN:-/usr/bin/docker-registry}"
work="$(mktemp -d -t kaniko-blob-memory-XXXXXX)"
registry_pid=""

cleanup() {
  if [[ -n "$registry_pid" ]]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
cat >"$work/config.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: '$work/data'
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: 'kaniko-blob-memory'
YAML

# The registry runs beside the client, not under it, so /usr/bin/time measures the client alone.
"$registry_bin" serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then break; fi
  sleep 0.1
done

dotnet build "$root/benchmarks/Kaniko.BlobMemory" -c Release -v quiet -nologo >/dev/null
dll="$root/benchmarks/Kaniko.BlobMemory/bin/Release/net10.0/Kaniko.BlobMemory.dll"
/usr/bin/time -v dotnet "$dll" "127.0.0.1:$port" "$size_mib" $chunk_mib 2>"$work/time.txt"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$work/time.txt"
