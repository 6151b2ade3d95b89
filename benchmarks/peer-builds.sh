#!/usr/bin/env bash
# Times whole builds (build + push to the local registry) of the COPY-only ASP.NET image, side by side in one run:
# this tool, `buildah bud` and, for reference, the .NET SDK's /t:PublishContainer (which builds `dotnet new web`
# without a Dockerfile). Scenarios cold / warm / one-change, RUNS runs each, medians; see benchmarks/README.md.
#
# Usage: benchmarks/peer-builds.sh [RUNS]            (default 5)
# Env:   PEERS_DIR   the shared peer scripts (default: ../shared/peers beside the repository)
#        PEERS       which peers besides this tool (default "buildah sdk"; "" for this tool alone)
#        PEERS_STATE where the peer scripts keep their state (their default when unset)
#        KANIKO_EXE / KANIKO_DLL  the tool to time (default: the linux-x64 ReadyToRun publish users install,
#                    published first into PEERS_STATE/bench/kaniko-dotnet-tool; benchmarks/kaniko-tool.sh)
set -euo pipefail

runs=${1:-5}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peers_dir=${PEERS_DIR:-$repo_root/../shared/peers}
others=${PEERS-buildah sdk}
log() { echo "[peer-builds] $*"; }

if [[ ! -x $peers_dir/bench.sh || ! -x $peers_dir/registry.sh || ! -x $peers_dir/make-base-images.sh ]]; then
  echo "peer-builds: the shared peer scripts are not at $peers_dir (bench.sh, registry.sh, make-base-images.sh)." >&2
  echo "peer-builds: this benchmark needs them and the peers they drive (buildah, a local registry); set PEERS_DIR to their folder." >&2
  exit 2
fi
peers_dir=$(cd "$peers_dir" && pwd)
state=${PEERS_STATE:-/tmp/kaniko-peers}
results=$state/bench/results.tsv

# The tool users install, published once before the runs (KANIKO_EXE / KANIKO_DLL to time another); the peer
# wrapper benchmarks/dotnet-kaniko.sh runs it.
source "$repo_root/benchmarks/kaniko-tool.sh"
mkdir -p "$state/bench"
kaniko_tool "$state/bench/kaniko-dotnet-tool"
[[ -n ${KANIKO_DLL:-} ]] || export KANIKO_EXE=${kaniko[0]}

log "starting the registry and making the base images (idempotent)"
# registry.sh exits 1 when the registry is already running; the check after it says whether one is up.
"$peers_dir/registry.sh" start || true
curl -sf "http://${REGISTRY:-127.0.0.1:5000}/v2/" >/dev/null || { echo "peer-builds: the registry did not start" >&2; exit 1; }
"$peers_dir/make-base-images.sh" dotnet

mkdir -p "$state/bench"
touch "$results"
first_line=$(($(wc -l <"$results") + 1))

log "load before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
FIXTURE=aspnet "$peers_dir/bench.sh" "cmd:$repo_root/benchmarks/dotnet-kaniko.sh" "$runs"
for peer in $others; do
  case $peer in
    sdk) "$peers_dir/bench.sh" sdk "$runs" ;;
    *) FIXTURE=aspnet "$peers_dir/bench.sh" "$peer" "$runs" ;;
  esac
done

# bench.sh appends: time, name, runs, cold, warm, one-change (seconds, medians).
echo
printf '%-26s %6s %9s %9s %11s\n' peer runs cold warm one-change
tail -n +"$first_line" "$results" | awk -F'\t' '
  NR == 1 { c = $4; w = $5; x = $6 }
  { printf "%-26s %6s %8.2fs %8.2fs %10.2fs", $2, $3, $4, $5, $6
    if (NR > 1) printf "   (x%.1f / x%.1f / x%.1f of dotnet-kaniko)", $4 / c, $5 / w, $6 / x
    printf "\n" }'
