#!/usr/bin/env bash
# Cold builds of benchmarks/fixtures/run-five-steps (five RUN steps on the Debian test base) with dotnet kaniko and
# with buildah, alternating, N runs each; prints every run, the medians and the ratio ours / buildah (goal <= 1.0).
# Both builders build AND push to a registry on 127.0.0.1, from an empty state every run:
#   ours     a fresh --cache-dir (the base layers are downloaded and unpacked again), default isolation
#   buildah  a fresh storage root, `bud --isolation chroot --layers --format docker`, storage driver overlay
#            (the settings that work on this machine), then `buildah push`
#
# Usage: benchmarks/run-vs-buildah.sh [RUNS]            (default 5)
# Environment:
#   REGISTRY=HOST:PORT  use this plain-HTTP registry instead of starting one (docker-registry on a free port)
#   BASE=REFERENCE      the Debian base in that registry; default: push the test fixture's cached layout
#                       (debian-bookworm-slim-v* in the test cache: run the DebianBaseImageTests once to make it)
#   BUILDAH_DRIVER=vfs  compare with buildah's vfs driver instead of overlay
#   RESULTS=FILE        append one tab-separated line (date, runs, medians, ratio) to FILE
#   KANIKO_EXE / KANIKO_DLL  the tool to time (default: the linux-x64 ReadyToRun publish users install, published
#                       into the work folder first; benchmarks/kaniko-tool.sh)
# Needs root (buildah's chroot isolation, RUN steps), buildah, skopeo, docker-registry, curl.
set -euo pipefail

runs=${1:-5}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixture="$repo_root/benchmarks/fixtures/run-five-steps"
driver=${BUILDAH_DRIVER:-overlay}
work=$(mktemp -d -t kaniko-run-bench-XXXXXX)
registry_pid=""

log() { echo "[run-vs-buildah] $*"; }
die() { echo "[run-vs-buildah] error: $*" >&2; exit 1; }
cleanup() {
  if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  if [[ -d $work/buildah ]]; then buildah --root "$work/buildah/root" --runroot "$work/buildah/run" --storage-driver "$driver" rm --all >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

for tool in buildah skopeo curl dotnet; do command -v "$tool" >/dev/null || die "$tool not installed (scripts/install-test-deps.sh)"; done
[[ $(id -u) -eq 0 ]] || die "run as root: buildah's chroot isolation and RUN steps need it here"

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }'; }

# ---- the registry
if [[ -n ${REGISTRY:-} ]]; then
  registry=$REGISTRY
  curl -sf "http://$registry/v2/" >/dev/null || die "no registry answers at http://$registry/v2/"
else
  command -v docker-registry >/dev/null || die "docker-registry not installed (scripts/install-test-deps.sh)"
  port=""
  for candidate in $(shuf -i 20000-40000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
  done
  [[ -n $port ]] || die "no free port found on 127.0.0.1"
  registry=127.0.0.1:$port
  cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry-data
  delete:
    enabled: true
http:
  addr: $registry
YAML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 100); do curl -sf "http://$registry/v2/" >/dev/null && break; sleep 0.1; done
  curl -sf "http://$registry/v2/" >/dev/null || { tail -5 "$work/registry.log" >&2; die "the registry did not start"; }
  log "registry on $registry (pid $registry_pid)"
fi

printf '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/policy.json"
cat >"$work/registries.conf" <<CONF
unqualified-search-registries = []
short-name-mode = "disabled"
[[registry]]
location = "$registry"
insecure = true
CONF

# ---- the base image
if [[ -n ${BASE:-} ]]; then
  base=$BASE
else
  cache=${KANIKO_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaniko-tests}
  layout=$(ls -d "$cache"/debian-bookworm-slim-v* 2>/dev/null | head -n1 || true)
  [[ -n $layout ]] || die "no Debian test image in $cache: run once
  dotnet test tests/Kaniko.IntegrationTests --filter FullyQualifiedName~DebianBaseImageTests"
  base=$registry/debian:bookworm-slim
  skopeo --policy "$work/policy.json" copy --quiet --dest-tls-verify=false --format v2s2 "oci:$layout:bookworm-slim" "docker://$base"
  log "pushed $(basename "$layout") as $base"
fi

# ---- the builders
source "$repo_root/benchmarks/kaniko-tool.sh"
kaniko_tool "$work"
ours=("${kaniko[@]}")
buildah_storage() { echo --root "$work/buildah/root" --runroot "$work/buildah/run" --storage-driver "$driver"; }

run_ours() { # $1 = run number
  rm -rf "$work/cache"
  "${ours[@]}" build --context "$fixture" --build-arg "BASE=$base" --insecure-registry "$registry" --cache-dir "$work/cache" \
    --destination "$registry/bench/ours:$1" --verbosity warn >"$work/ours.log" 2>&1 || { tail -20 "$work/ours.log" >&2; die "our build failed"; }
}

run_buildah() { # $1 = run number
  # shellcheck disable=SC2046
  buildah $(buildah_storage) rm --all >/dev/null 2>&1 || true
  rm -rf "$work/buildah"
  mkdir -p "$work/buildah"
  # shellcheck disable=SC2046
  CONTAINERS_REGISTRIES_CONF="$work/registries.conf" buildah $(buildah_storage) bud --quiet --isolation chroot --layers --format docker \
    --build-arg "BASE=$base" --iidfile "$work/iid" -f "$fixture/Dockerfile" -t "$registry/bench/buildah:$1" "$fixture" >"$work/buildah.log" 2>&1 \
    || { tail -20 "$work/buildah.log" >&2; die "buildah bud failed"; }
  # shellcheck disable=SC2046
  CONTAINERS_REGISTRIES_CONF="$work/registries.conf" buildah $(buildah_storage) push --quiet --tls-verify=false "$(cat "$work/iid")" \
    "docker://$registry/bench/buildah:$1" >>"$work/buildah.log" 2>&1 || { tail -20 "$work/buildah.log" >&2; die "buildah push failed"; }
}

log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/ours.txt"
: >"$work/buildah.txt"
for ((i = 1; i <= runs; i++)); do
  start=$(date +%s.%N); run_ours "$i"; t=$(seconds "$start"); echo "$t" >>"$work/ours.txt"; log "run $i ours:    ${t} s"
  start=$(date +%s.%N); run_buildah "$i"; t=$(seconds "$start"); echo "$t" >>"$work/buildah.txt"; log "run $i buildah: ${t} s"
done

ours_median=$(median <"$work/ours.txt")
buildah_median=$(median <"$work/buildah.txt")
ratio=$(awk -v o="$ours_median" -v p="$buildah_median" 'BEGIN { printf "%.2f", o / p }')
log "cold build + push, median of $runs: ours ${ours_median} s, buildah ($driver, chroot) ${buildah_median} s, ratio ${ratio}"
if [[ -n ${RESULTS:-} ]]; then
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$runs" "$ours_median" "$buildah_median" "$ratio" >>"$RESULTS"
fi
