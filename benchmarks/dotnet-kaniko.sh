#!/usr/bin/env bash
# The peer wrapper bench.sh calls for this tool: dotnet-kaniko.sh DOCKERFILE CONTEXT DEST
# Builds with the Release build of src/dotnet-kaniko (`dotnet <dll>`, never `dotnet run`) and pushes DEST.
# Env: KANIKO_DLL (default: the Release build in this repository), KANIKO_BENCH_CACHE (the base-layer cache, default
# $PEERS_STATE/bench/kaniko-dotnet-cache), PEER_COLD=1 (set by bench.sh on cold runs: start with an empty cache).
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dll=${KANIKO_DLL:-$repo_root/src/dotnet-kaniko/bin/Release/net10.0/dotnet-kaniko.dll}
cache=${KANIKO_BENCH_CACHE:-${PEERS_STATE:-/tmp/kaniko-peers}/bench/kaniko-dotnet-cache}
[[ -f $dll ]] || { echo "dotnet-kaniko.sh: $dll not found; run: dotnet build -c Release src/dotnet-kaniko" >&2; exit 2; }
if [[ ${PEER_COLD:-0} == 1 ]]; then
  rm -rf "$cache"
fi
registry=${3%%/*}
exec dotnet "$dll" build --dockerfile "$1" --context "$2" --destination "$3" \
  --insecure-registry "$registry" --cache-dir "$cache" --progress plain --log-format text
