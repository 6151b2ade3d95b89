#!/usr/bin/env bash
# Pushes and pulls a large blob (1 GiB by default) through the registry client to a local registry on 127.0.0.1
# and reports the client's peak resident set. The goal is under 150 MB: blobs are streamed, never buffered whole.
# Usage: benchmarks/blob-memory.sh [SIZE_MIB=1024] [CHUNK_MIB]   (needs /usr/bin/docker-registry)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size_mib="${1:-1024}"
chunk_mib="${2:-}"
work="$(mktemp -d -t kaniko-blob-memory-XXXXXX)"

source "$root/benchmarks/local-registry.sh"

cleanup() {
  stop_local_registry
  rm -rf "$work"
}
trap cleanup EXIT

start_local_registry "$work"
port="$registry_port"

dotnet build "$root/benchmarks/Kaniko.BlobMemory" -c Release -v quiet -nologo >/dev/null
dll="$root/benchmarks/Kaniko.BlobMemory/bin/Release/net10.0/Kaniko.BlobMemory.dll"
/usr/bin/time -v dotnet "$dll" "127.0.0.1:$port" "$size_mib" $chunk_mib 2>"$work/time.txt"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$work/time.txt"
