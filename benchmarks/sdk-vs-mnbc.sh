#!/usr/bin/env bash
# sdk-vs-mnbc.sh [RUNS]
#
# Times `dotnet publish -p:KanikoPush=true` (Kaniko.Sdk, samples/hello-web's Dockerfile) against the .NET SDK's own
# `dotnet publish /t:PublishContainer` (MNBC) on the same project, the same ASP.NET Core base image and the same
# registry, in one run, and prints the median wall time of each scenario:
#   cold        bin/ obj/ removed, build servers shut down, a new destination repository
#   no-change   the same command again (Kaniko.Sdk's incremental check; MNBC always rebuilds and pushes)
#   rebuild     the same again with -p:KanikoIncremental=false, so Kaniko.Sdk builds and pushes as MNBC does
#   one-change  Program.cs edited, then publish
# and, from MSBuild's performance summary of the same runs, the image step alone: the time in the tasks that make
# the image (Kaniko.Sdk: KanikoBuild, GenerateKanikoDockerfile, ComputeKanikoImageNames, KanikoWarmUp; MNBC:
# CreateNewImage, ParseContainerProperties, ComputeDotnetBaseImageAndTag), the rest of both runs being the same
# dotnet publish. KanikoWarmUp only starts the engine's warm-up, whose work overlaps the compile (docs/sdk.md).
#
# Env:
#   REGISTRY     host:port of a plain-HTTP registry (default: a private docker-registry on a free loopback port,
#                started and stopped by this script)
#   BASE_LAYOUT  OCI layout DIR:TAG of the aspnet base (default: the test fixture's cache,
#                ~/.cache/kaniko-tests/dotnet-aspnet-v*:10.0, made by tests/Kaniko.Testing's BaseImages; without it,
#                benchmarks/make-aspnet-layout.sh DIR makes a smaller one from this machine's .NET: DIR:10.0)
#   WORK         scratch folder (default: a new temp folder, removed at the end)
#   WARM_UP      false: Kaniko.Sdk runs with -p:KanikoWarmUp=false, to see what the warm-up saves
set -euo pipefail
runs=${1:-3}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 MSBUILDDISABLENODEREUSE=1
log() { echo "[sdk-vs-mnbc] $*" >&2; }

work=${WORK:-$(mktemp -d -t kaniko-sdk-bench-XXXXXX)}
registry_pid=
cleanup() {
  if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null || true; fi
  if [[ -z ${WORK:-} ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT

if [[ -z ${REGISTRY:-} ]]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  REGISTRY=127.0.0.1:$port
  mkdir -p "$work/registry"
  printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' "$work/registry/data" "$REGISTRY" > "$work/registry/config.yml"
  docker-registry serve "$work/registry/config.yml" > "$work/registry/log.txt" 2>&1 &
  registry_pid=$!
  for _ in $(seq 50); do curl -sf "http://$REGISTRY/v2/" >/dev/null && break; sleep 0.1; done
  log "registry $REGISTRY (pid $registry_pid)"
fi
export DOTNET_CONTAINER_INSECURE_REGISTRIES=$REGISTRY

if [[ -z ${BASE_LAYOUT:-} ]]; then
  layout=$(ls -d "$HOME"/.cache/kaniko-tests/dotnet-aspnet-v* 2>/dev/null | tail -1 || true)
  [[ -n $layout ]] || { log "no aspnet base: set BASE_LAYOUT=DIR:TAG or run the fixture tests once"; exit 1; }
  BASE_LAYOUT=$layout:10.0
fi
base=$REGISTRY/dotnet/aspnet:10.0
skopeo copy -q --dest-tls-verify=false "oci:$BASE_LAYOUT" "docker://$base" >/dev/null
log "base $base from $BASE_LAYOUT"

# The package under a version of its own, so the NuGet cache never serves an older build.
version=0.0.1-bench.$(date +%s)
# PackageVersion, not Version: a global Version would rebuild the engine's shared Release output under another version.
dotnet pack "$repo_root/src/Kaniko.Sdk" -c Release -o "$work/feed" -p:PackageVersion="$version" --nologo -v quiet >/dev/null
project=$work/hello-web
mkdir -p "$project"
cp "$repo_root"/samples/hello-web/{Program.cs,hello-web.csproj} "$project/"
sed -i "s|Version=\"[^\"]*\" />|Version=\"$version\" />|" "$project/hello-web.csproj"
sed "s|^ARG BASE_IMAGE=.*|ARG BASE_IMAGE=$base|" "$repo_root/samples/hello-web/Dockerfile" > "$project/Dockerfile"
printf '<configuration><packageSources><add key="bench" value="%s" /></packageSources></configuration>\n' "$work/feed" > "$project/NuGet.config"

# One tag each, so both push the same: MNBC defaults to latest, Kaniko.Sdk to the version tags.
kaniko() { dotnet publish -c Release -clp:PerformanceSummary -p:KanikoPush=true -p:KanikoRegistry="$REGISTRY" -p:KanikoInsecure=true -p:KanikoRepository="bench/kaniko-$1" -p:KanikoTags=latest -p:KanikoWarmUp="${WARM_UP:-true}" "${@:2}"; }
mnbc() { dotnet publish -c Release -clp:PerformanceSummary /t:PublishContainer -p:ContainerBaseImage="$base" -p:ContainerRegistry="$REGISTRY" -p:ContainerRepository="bench/mnbc-$1" -p:ContainerImageTag=latest "${@:2}"; }
timed() { # timed NAME COMMAND... -> seconds on stdout, the command's log in $work/logs
  local start end
  start=$(date +%s.%N)
  if ! (cd "$project" && "${@:2}") > "$work/logs/$1.log" 2>&1; then log "FAILED: $1"; tail -20 "$work/logs/$1.log" >&2; exit 1; fi
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
# The image step of one logged run: the summed milliseconds of the image tasks in its performance summary.
image_ms() { # image_ms LOG TASK...
  local log=$1; shift
  local pattern; pattern=$(IFS='|'; echo "$*")
  awk -v p="^($pattern)\$" '/Task Performance Summary/ { on = 1; next } on && $2 == "ms" && $3 ~ p { sum += $1 } END { printf "%.3f", sum / 1000 }' "$log"
}
median() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m }'; }
mkdir -p "$work/logs"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A times image
for run in $(seq "$runs"); do
  for tool in kaniko mnbc; do
    rm -rf "$project/bin" "$project/obj"
    dotnet build-server shutdown >/dev/null 2>&1 || true
    times[$tool-cold]+="$(timed "$tool-cold-$run" "$tool" "c$run") "
    times[$tool-no-change]+="$(timed "$tool-nochange-$run" "$tool" "c$run") "
    times[$tool-rebuild]+="$(timed "$tool-rebuild-$run" "$tool" "c$run" -p:KanikoIncremental=false) "
    sed -i "s|\"Hello[^\"]*\"|\"Hello $tool $run\"|" "$project/Program.cs"
    times[$tool-one-change]+="$(timed "$tool-change-$run" "$tool" "c$run") "
    for scenario in cold nochange rebuild change; do
      if [[ $tool == kaniko ]]; then tasks=(KanikoBuild GenerateKanikoDockerfile ComputeKanikoImageNames KanikoWarmUp); else tasks=(CreateNewImage ParseContainerProperties ComputeDotnetBaseImageAndTag); fi
      image[$tool-$scenario]+="$(image_ms "$work/logs/$tool-$scenario-$run.log" "${tasks[@]}") "
    done
    sed -i "s|\"Hello[^\"]*\"|\"Hello\"|" "$project/Program.cs"
  done
done

# paired: the median of each run's own ratio, the two publishes of a run being seconds apart, so a change of the
# machine's load between runs moves both sides of a pair.
printf '%-12s %10s %10s %8s %8s\n' scenario kaniko mnbc ratio paired
for scenario in cold no-change rebuild one-change; do
  k=$(tr ' ' '\n' <<< "${times[kaniko-$scenario]}" | grep . | median)
  m=$(tr ' ' '\n' <<< "${times[mnbc-$scenario]}" | grep . | median)
  read -r -a ks <<< "${times[kaniko-$scenario]}"
  read -r -a ms <<< "${times[mnbc-$scenario]}"
  p=$(for i in "${!ks[@]}"; do echo "${ks[$i]} / ${ms[$i]}" | bc -l; done | median)
  printf '%-12s %9ss %9ss %8.2f %8.2f\n' "$scenario" "$k" "$m" "$(echo "$k / $m" | bc -l)" "$p"
done
echo "(median of $runs runs each, wall seconds of the whole dotnet publish; ratio = kaniko / mnbc of the medians, paired = median of the runs' ratios; $(nproc) cores; warm-up ${WARM_UP:-true})"
echo
printf '%-12s %10s %10s %8s\n' "image step" kaniko mnbc ratio
for scenario in cold nochange rebuild change; do
  k=$(tr ' ' '\n' <<< "${image[kaniko-$scenario]}" | grep . | median)
  m=$(tr ' ' '\n' <<< "${image[mnbc-$scenario]}" | grep . | median)
  printf '%-12s %9ss %9ss %8.2f\n' "$scenario" "$k" "$m" "$(echo "$k / $m" | bc -l)"
done
echo "(seconds in the image tasks, from -clp:PerformanceSummary; load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after)"
echo
echo "every run, in order (wall seconds of the whole dotnet publish; image step in brackets):"
for scenario in cold no-change rebuild one-change; do
  short=${scenario/no-change/nochange}; short=${short/one-change/change}
  for tool in kaniko mnbc; do
    read -r -a wall <<< "${times[$tool-$scenario]}"
    read -r -a step <<< "${image[$tool-$short]}"
    line=$(for i in "${!wall[@]}"; do printf ' %.2f (%s)' "${wall[$i]}" "${step[$i]}"; done)
    printf '%-12s %-7s%s\n' "$scenario" "$tool" "$line"
  done
done
