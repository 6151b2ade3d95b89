#!/usr/bin/env bash
# A rootless build's ways of making a stage's root, side by side: the overlay of the layer store mounted in the
# build's user namespace (rung 2, `--stage-root auto`), the same store mounted by fuse-overlayfs (rung 3,
# `--stage-root fuse-overlay`) and the unpacked root (`--stage-root unpack`). The build is
# benchmarks/fixtures/run-five-steps on the Debian test base, run by a throwaway user with subordinate ids, so
# `dotnet kaniko build` re-enters itself as root of a user namespace (docs/sandbox.md), and pushed to a registry on
# 127.0.0.1 that already holds the base.
#
# Scenarios, RUNS runs each, per way:
#   cold   an empty --cache-dir: the base layer is unpacked (into the store, or into the stage's folder)
#   warm   the same --cache-dir again (no layer cache, so every RUN runs): the overlays reuse the store's entry,
#          the unpack way unpacks the base again
#
# The fuse-overlay builds run in a mount namespace of their own where a node of the FUSE device that anyone may open
# is bound over /dev/fuse (on many machines the real one is root's alone; it is left as it is).
#
# Usage: sudo benchmarks/rootless-stage-root.sh [RUNS]        (default 3)
# Environment: KANIKO_EXE=PATH or KANIKO_DLL=PATH (default: the linux-x64 ReadyToRun publish users install,
# published into the work folder first; benchmarks/kaniko-tool.sh), KEEP=1 (keep the work folder and logs),
# WAYS="auto fuse-overlay unpack" (the default; fuse-overlay needs fuse-overlayfs).
# Needs root (to make the user and give it ranges; /etc/subuid and /etc/subgid are written back byte for byte at
# the end, under the lock the integration tests take), useradd/userdel, setpriv, unshare, newuidmap, skopeo,
# docker-registry, curl (scripts/install-test-deps.sh), and the tests' cached Debian layout
# (debian-bookworm-slim-v1-* under ${KANIKO_TEST_CACHE:-~/.cache/kaniko-tests}).
set -euo pipefail

runs=${1:-3}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixtures=${KANIKO_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaniko-tests}
work=$(mktemp -d -t kaniko-rootless-bench-XXXXXX)
chmod 0755 "$work"
user=kb$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
lock=${TMPDIR:-/tmp}/kaniko-tests-subid.lock

log() { echo "[rootless] $*"; }
die() { echo "[rootless] error: $*" >&2; exit 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }'; }

[[ $(id -u) -eq 0 ]] || die "run as root: the benchmark makes a throwaway user with subordinate ids"
for tool in skopeo curl dotnet useradd userdel setpriv unshare newuidmap; do command -v "$tool" >/dev/null || die "$tool not installed (scripts/install-test-deps.sh)"; done

source "$repo_root/benchmarks/local-registry.sh"
exec 9>"$lock"
made_user=0
cleanup() {
  stop_local_registry
  if [[ $made_user == 1 ]]; then
    userdel --force "$user" >/dev/null 2>&1 || true
    cp "$work/subuid.saved" /etc/subuid
    cp "$work/subgid.saved" /etc/subgid
  fi
  flock -u 9 || true
  if [[ ${KEEP:-0} == 1 ]]; then log "work folder kept: $work"; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT

# ---- the user, with a range in both files (written back at the end)
flock 9
cp /etc/subuid "$work/subuid.saved"
cp /etc/subgid "$work/subgid.saved"
useradd --no-create-home --user-group --shell /bin/sh "$user"
made_user=1
cp "$work/subuid.saved" /etc/subuid
cp "$work/subgid.saved" /etc/subgid
echo "$user:800000:65536" >>/etc/subuid
echo "$user:800000:65536" >>/etc/subgid
home=$work/home
mkdir -p "$home"
chown "$user:$user" "$home"

# ---- the registry and the base
start_local_registry "$work"
registry=127.0.0.1:$registry_port
printf '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/policy.json"
layout=$(ls -d "$fixtures"/debian-bookworm-slim-v1-* 2>/dev/null | head -n1 || true)
[[ -n $layout && -f $layout/index.json ]] || die "no Debian layout in $fixtures: run the integration tests once (BaseImages fixtures)"
skopeo --policy "$work/policy.json" copy --quiet --dest-tls-verify=false "oci:$layout:bookworm-slim" "docker://$registry/debian:bookworm-slim"
log "registry on $registry (pid $registry_pid), base pushed"

source "$repo_root/benchmarks/kaniko-tool.sh"
kaniko_tool "$work"
# `dotnet DLL` runs with env -i below: dotnet by its full path.
[[ ${kaniko[0]} == dotnet ]] && kaniko[0]=$(command -v dotnet)
chmod -R a+rX "$work/tool" 2>/dev/null || true
# The user reads the tool and the context.
context=$work/context
cp -a "$repo_root/benchmarks/fixtures/run-five-steps" "$context"
chmod -R a+rX "$context"

ways=${WAYS:-auto fuse-overlay unpack}
if [[ " $ways " == *" fuse-overlay "* ]]; then
  command -v fuse-overlayfs >/dev/null || die "fuse-overlayfs not installed (scripts/install-test-deps.sh), or leave it out of WAYS"
  mknod "$work/fuse" c 10 229
  chmod 0666 "$work/fuse"
fi

build() { # WAY CACHE DEST LOG
  local wrap=()
  if [[ $1 == fuse-overlay ]]; then
    wrap=(unshare --mount --propagation private -- /bin/sh -c 'mount --bind "$0" /dev/fuse && exec "$@"' "$work/fuse")
  fi
  "${wrap[@]}" setpriv --reuid="$user" --regid="$user" --clear-groups -- /usr/bin/env -i HOME="$home" TMPDIR="$home" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin NO_COLOR=1 DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    "${kaniko[@]}" build --context "$context" --build-arg "BASE=$registry/debian:bookworm-slim" \
    --insecure-registry "$registry" --cache-dir "$2" --stage-root "$1" --provenance=false --destination "$3" >"$4" 2>&1
}

declare -A times
# The ways take turns within each run, so they meet the same load.
for run in $(seq 1 "$runs"); do
  for way in $ways; do
    cache=$home/cache-$way-$run
    for scenario in cold warm; do
      logfile=$work/$way-$scenario-$run.log
      started=$(date +%s.%N)
      build "$way" "$cache" "$registry/bench/$way-$run:$scenario" "$logfile" || { cat "$logfile" >&2; die "the $way $scenario build failed"; }
      took=$(seconds "$started")
      rung=$(grep -m1 -o 'RUN stage roots: [^(]*' "$logfile" || echo "?")
      times[$way-$scenario]+="$took "
      log "$way $scenario run $run: $took s (${rung% }; load $(load))"
    done
  done
done

log "medians of $runs runs (wall time of the whole build and push, s):"
printf '%-13s %8s %8s\n' way cold warm
for way in $ways; do
  printf '%-13s %8s %8s\n' "$way" "$(tr ' ' '\n' <<<"${times[$way-cold]}" | grep . | median)" "$(tr ' ' '\n' <<<"${times[$way-warm]}" | grep . | median)"
done
