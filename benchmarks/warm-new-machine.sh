#!/usr/bin/env bash
# Times the warm build of a new machine: the classic .NET multi-stage Dockerfile (samples/multistage-sdk) built with
# an EMPTY cache directory while the registry cache repository is warm, as a new executor pod builds (its
# /kaniko/cache is empty, only the cache repository is shared), on the unpack rung (--stage-root unpack, the rung of
# kaniko's own mode). One cold build fills the cache repository, then each tool builds RUNS times, alternating, each
# time with a fresh cache directory; every run prints its seconds, its cache hits and the load average, and the
# medians are printed at the end. Nothing is changed between runs: every RUN is a cache hit.
# Usage: benchmarks/warm-new-machine.sh RUNS DLL [DLL...]   (each DLL a dotnet-kaniko.dll to time, e.g. two builds)
# Base images: the integration tests' OCI layouts dotnet-sdk-v1-* and dotnet-aspnet-v1-* under
# ${KANIKO_TEST_CACHE:-~/.cache/kaniko-tests}, pushed with skopeo to a docker-registry this script starts on a free
# loopback port. Needs root (RUN steps), skopeo, docker-registry, curl. KEEP=1 keeps the work folder and its logs.
set -euo pipefail
runs=${1:?usage: benchmarks/warm-new-machine.sh RUNS DLL [DLL...]}
shift
dlls=("$@")
[[ ${#dlls[@]} -gt 0 ]] || { echo "name at least one dotnet-kaniko.dll" >&2; exit 1; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixtures=${KANIKO_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaniko-tests}
work=$(mktemp -d -t kaniko-warm-new-machine-XXXXXX)
source "$root/benchmarks/local-registry.sh"
cleanup() {
  stop_local_registry
  if [[ ${KEEP:-0} == 1 ]]; then echo "work folder kept: $work"; else rm -rf -- "$work"; fi
}
trap cleanup EXIT
start_local_registry "$work"
registry="127.0.0.1:$registry_port"
for flavor in sdk aspnet; do
  layout=$(ls -d "$fixtures"/dotnet-"$flavor"-v1-*/ | head -1)
  skopeo copy --quiet --dest-tls-verify=false "oci:${layout%/}:10.0" "docker://$registry/dotnet/$flavor:10.0"
done
cp -r "$root/samples/multistage-sdk" "$work/context"

build() { # build NAME DLL CACHE_REPO: prints NAME, seconds, hits, load; the seconds go to $work/NAME.time
  local started seconds
  rm -rf "$work/cache-$1"
  started=$(date +%s.%N)
  dotnet "$2" build --context "$work/context" --build-arg "REGISTRY=$registry" --insecure-registry "$registry" \
    --destination "$registry/bench/app:$1" --cache --cache-repo "$3" --cache-dir "$work/cache-$1" \
    --stage-root unpack --log-timestamp >"$work/$1.log" 2>&1 || { echo "build $1 failed:" >&2; tail -20 "$work/$1.log" >&2; exit 1; }
  seconds=$(echo "$(date +%s.%N) - $started" | bc)
  echo "$seconds" >"$work/$1.time"
  printf '%-12s %6.2f s (%s cache hits; load average %s)\n' "$1" "$seconds" "$(grep -c 'cache hit' "$work/$1.log" || true)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for i in "${!dlls[@]}"; do
  # One cache repository per tool: an entry one version wrote may not be what another reads.
  build "cold-$i" "${dlls[$i]}" "$registry/bench/cache-$i"
done
for run in $(seq 1 "$runs"); do
  for i in "${!dlls[@]}"; do
    build "warm-$i-$run" "${dlls[$i]}" "$registry/bench/cache-$i"
  done
done
for i in "${!dlls[@]}"; do
  printf 'median warm, tool %s (%s): %s s\n' "$i" "${dlls[$i]}" "$(cat "$work"/warm-"$i"-*.time | median)"
done
