#!/usr/bin/env bash
# The peak resident set of whole `dotnet kaniko build` runs that write one big layer (2 GiB by default), pushed to a
# docker-registry this script starts on 127.0.0.1 and stops (by its PID) at the end. The goal: under 250 MB.
#   run   FROM busybox (the integration tests' cached layout, pushed with skopeo), RUN head -c BYTES /dev/urandom > /big
#   copy  FROM scratch, COPY of a SIZE context file of random bytes
#   stage the run workload as a stage the image does not hold, and COPY --from it onto busybox: its layer is a plain
#         tar the copy reads (and with --cache, compressed for the cache in the background)
# Each workload is built cold (empty --cache-dir) with the Release build of src/dotnet-kaniko under /usr/bin/time -v
# (GNU time reports the largest peak of the tool's process and the descendants it waited for: a RUN step's `head` is
# one of them, a few MB). Random bytes: the layer does not compress, so every byte goes through every stage of the path.
# Usage: sudo benchmarks/build-memory.sh [SIZE_MIB=2048]
# Env: WORKLOADS="run copy", BUILD_FLAGS (extra flags, for example "--cache" or "--stage-root unpack"),
#      KANIKO_EXE or KANIKO_DLL (default: the linux-x64 ReadyToRun publish users install, published into the work
#      folder first; benchmarks/kaniko-tool.sh), KANIKO_TEST_CACHE (where the busybox layout is), KEEP=1 (keep the work folder and the logs).
# Needs root for RUN, skopeo, docker-registry, curl (scripts/install-test-deps.sh).
set -euo pipefail

size_mib=${1:-2048}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
workloads=${WORKLOADS:-run copy}
fixtures=${KANIKO_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaniko-tests}
work=$(mktemp -d -t kaniko-build-memory-XXXXXX)

log() { echo "[memory] $*"; }
die() { echo "[memory] error: $*" >&2; exit 1; }

source "$repo_root/benchmarks/local-registry.sh"
cleanup() {
  stop_local_registry
  if [[ ${KEEP:-0} == 1 ]]; then log "work folder kept: $work"; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT

for tool in skopeo curl dotnet; do command -v "$tool" >/dev/null || die "$tool not installed (scripts/install-test-deps.sh)"; done

source "$repo_root/benchmarks/kaniko-tool.sh"
kaniko_tool "$work"
start_local_registry "$work"
registry=127.0.0.1:$registry_port
log "registry on $registry (pid $registry_pid)"

for workload in $workloads; do
  context=$work/context-$workload
  mkdir -p "$context"
  case $workload in
    run|stage)
      [[ $(id -u) -eq 0 ]] || die "the $workload workload needs root (RUN steps)"
      layout=$(ls -d "$fixtures"/busybox-v* 2>/dev/null | head -n1 || true)
      [[ -n $layout && -f $layout/index.json ]] || die "no busybox layout in $fixtures: run the integration tests once (BaseImages fixtures)"
      printf '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/policy.json"
      skopeo --policy "$work/policy.json" copy --quiet --dest-tls-verify=false "oci:$layout:latest" "docker://$registry/busybox:latest"
      # busybox's head takes no size suffix.
      printf 'FROM %s/busybox:latest AS big\nRUN head -c %s /dev/urandom > /big\n' "$registry" "$((size_mib * 1048576))" >"$context/Dockerfile"
      if [[ $workload == stage ]]; then
        printf 'FROM %s/busybox:latest\nCOPY --from=big /big /big\n' "$registry" >>"$context/Dockerfile"
      fi ;;
    copy)
      head -c "${size_mib}M" /dev/urandom >"$context/big"
      printf 'FROM scratch\nCOPY big /big\n' >"$context/Dockerfile" ;;
    *) die "unknown workload $workload (run, copy, stage)" ;;
  esac

  log "$workload: ${size_mib} MiB layer, load $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086 # BUILD_FLAGS is a list of flags
  /usr/bin/time -v -o "$work/time-$workload.txt" "${kaniko[@]}" build --context "$context" \
    --destination "$registry/memory-$workload:latest" --insecure-registry "$registry" \
    --cache-dir "$work/cache-$workload" --progress plain --log-format text ${BUILD_FLAGS:-} >"$work/build-$workload.log" 2>&1 \
    || { tail -n 30 "$work/build-$workload.log" >&2; die "$workload: the build failed"; }
  peak_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time-$workload.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$work/time-$workload.txt")
  written=$(awk -F': ' '/File system outputs/ { printf "%.0f", $2 * 512 / 1048576 }' "$work/time-$workload.txt")
  log "$workload: peak resident set $((peak_kb / 1024)) MB, wall $wall, ${written} MB written, load $(cut -d' ' -f1-3 /proc/loadavg)"
  rm -rf --one-file-system "$context" "$work/cache-$workload"
done
