#!/usr/bin/env bash
# Times the classic .NET multi-stage Dockerfile (samples/multistage-sdk) built by the executor image in an
# unprivileged pod (podman run as tests/Kaniko.IntegrationTests/Executor/PodmanPod.cs runs it: containerd's default
# capabilities, no privileges, host network to reach a registry on 127.0.0.1), cold (empty cache repository, empty
# /kaniko/cache) and warm (a new pod, same cache repository: every RUN is a cache hit). Prints each run's seconds,
# the load average when it ended, and where the time of the last warm run went: each log line (--log-timestamp)
# with the seconds since the container's first line and since the line before.
# Usage: benchmarks/executor-pod.sh IMAGE [RUNS=1]
#   IMAGE  the executor image in podman's storage, e.g. localhost/kaniko-dotnet/executor:<tag> (the tests leave one;
#          or build it: scripts/build-executor-image.sh ... --tar-path executor.tar && podman load -i executor.tar)
# The base images come from the test fixtures' OCI layouts (KANIKO_TEST_CACHE, else ~/.cache/kaniko-tests; the
# integration tests make them): dotnet-sdk-* and dotnet-aspnet-*.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image="${1:?usage: benchmarks/executor-pod.sh IMAGE [RUNS]}"
runs="${2:-1}"
fixtures="${KANIKO_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaniko-tests}"
work="$(mktemp -d -t kaniko-executor-pod-XXXXXX)"
source "$root/benchmarks/local-registry.sh"
cleanup() {
  stop_local_registry
  rm -rf -- "$work"
}
trap cleanup EXIT
start_local_registry "$work"
registry="127.0.0.1:$registry_port"

for flavor in sdk aspnet; do
  layout=$(ls -d "$fixtures"/dotnet-"$flavor"-v*/ | head -1)
  skopeo copy --quiet --dest-tls-verify=false "oci:${layout%/}:10.0" "docker://$registry/dotnet/$flavor:10.0"
done
cp -r "$root/samples/multistage-sdk" "$work/context"

# runc where installed: crun refuses machines with hybrid cgroups.
runtime=()
if command -v runc >/dev/null; then runtime=(--runtime "$(command -v runc)"); fi

build() { # build NAME CACHE_REPO
  local started ended
  started=$(date +%s.%N)
  podman ${runtime[@]+"${runtime[@]}"} run --rm --network=host --pull=never --cap-drop=all \
    --ulimit=nofile=8192:8192 --ulimit=nproc=8192:8192 \
    --cap-add=CHOWN,DAC_OVERRIDE,FSETID,FOWNER,MKNOD,NET_RAW,SETGID,SETUID,SETFCAP,SETPCAP,NET_BIND_SERVICE,SYS_CHROOT,KILL,AUDIT_WRITE \
    -v "$work/context:/workspace:ro" "$image" \
    --context=dir:///workspace --build-arg "REGISTRY=$registry" --insecure-registry "$registry" --log-timestamp \
    --destination "$registry/bench/app:$1" --cache=true --cache-repo "$2" >"$work/$1.log" 2>&1 \
    || { echo "build $1 failed:" >&2; tail -20 "$work/$1.log" >&2; exit 1; }
  ended=$(date +%s.%N)
  printf '%s %.1f s (%s cache hits; load average %s)\n' "$1" "$(echo "$ended - $started" | bc)" \
    "$(grep -c 'cache hit' "$work/$1.log" || true)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

breakdown() { # breakdown LOG: seconds since the first line and since the line before, for each timestamped line
  python3 - "$1" <<'PY'
import sys, datetime
first = previous = None
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    stamp, _, text = line.rstrip("\n").partition(" ")
    try:
        at = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        continue
    first = first or at
    previous = previous or at
    print(f"{(at - first).total_seconds():7.2f} {(at - previous).total_seconds():+7.2f}  {text[:110]}")
    previous = at
PY
}

for run in $(seq 1 "$runs"); do
  cache="$registry/bench/cache-$run"
  build "cold-$run" "$cache"
  build "warm-$run" "$cache"
done
echo "where the time of warm-$runs went (seconds since the first line, since the line before):"
breakdown "$work/warm-$runs.log"
