#!/usr/bin/env bash
# Times a cold build of benchmarks/fixtures/run-debian (five RUN steps on a Debian base) with dotnet kaniko and with a
# peer builder, side by side, and prints the medians and their ratio (ours / peer; goal <= 1.0).
# Usage: benchmarks/run-steps-vs-peer.sh PEER_SCRIPT [RUNS] [BASE]
#   PEER_SCRIPT  a builder called as PEER_SCRIPT DOCKERFILE CONTEXT DEST, with PEER_COLD=1 and BUILDAH_COLD=1 set so
#                it starts from an empty store (for example the peers' buildah-build.sh)
#   RUNS         cold runs per builder (default 3)
#   BASE         the Debian base image (default 127.0.0.1:5000/debian:bookworm-slim); the registry must serve it
# Each of our runs gets an empty --cache-dir, so the base layers are downloaded and unpacked every time.
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 PEER_SCRIPT [RUNS] [BASE]" >&2; exit 2; }
peer=$1
runs=${2:-3}
base=${3:-127.0.0.1:5000/debian:bookworm-slim}
registry=${base%%/*}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixture="$repo_root/benchmarks/fixtures/run-debian"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { echo "[run-bench] $*"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() { local start=$1 end; end=$(date +%s.%N); awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }'; }

log "building dotnet-kaniko (Release)"
dotnet build "$repo_root/src/dotnet-kaniko" -c Release -v quiet -nologo >/dev/null
ours=(dotnet "$repo_root/src/dotnet-kaniko/bin/Release/net10.0/dotnet-kaniko.dll")

: >"$work/ours.txt"
: >"$work/peer.txt"
for ((i = 1; i <= runs; i++)); do
  rm -rf "$work/cache"
  start=$(date +%s.%N)
  "${ours[@]}" build --context "$fixture" --build-arg "BASE=$base" --insecure-registry "$registry" \
    --cache-dir "$work/cache" --destination "$registry/bench/run-debian-ours:$i" --verbosity warn >"$work/ours.log" 2>&1 \
    || { cat "$work/ours.log"; exit 1; }
  seconds "$start" | tee -a "$work/ours.txt" | sed 's/^/[run-bench] ours cold: /'

  start=$(date +%s.%N)
  PEER_COLD=1 BUILDAH_COLD=1 "$peer" "$fixture/Dockerfile" "$fixture" "$registry/bench/run-debian-peer:$i" --build-arg "BASE=$base" \
    >"$work/peer.log" 2>&1 || { cat "$work/peer.log"; exit 1; }
  seconds "$start" | tee -a "$work/peer.txt" | sed 's/^/[run-bench] peer cold: /'
done

ours_median=$(median <"$work/ours.txt")
peer_median=$(median <"$work/peer.txt")
log "median of $runs cold runs: ours ${ours_median} s, peer ${peer_median} s, ratio $(awk -v o="$ours_median" -v p="$peer_median" 'BEGIN { printf "%.2f", o / p }')"
