#!/usr/bin/env bash
# The three workloads of issue "Speed", side by side with buildah in one run: every run, the medians and the ratios
# ours / buildah. Each builder builds AND pushes to a registry on 127.0.0.1 that already holds the base images.
#
#   dotnet   samples/multistage-sdk: FROM dotnet/sdk, COPY *.csproj, RUN dotnet restore, COPY . ., RUN dotnet publish,
#            then FROM dotnet/aspnet + COPY --from=build. The change rewrites the greeting in Program.cs.
#   busybox  benchmarks/fixtures/busybox-two-stage: two stages on busybox with a RUN each. The change rewrites app.txt.
#   aspnet   COPY-only: FROM dotnet/aspnet, WORKDIR, COPY . . of a `dotnet publish` output. The change rewrites a file.
#
# Scenarios, RUNS runs each, per builder:
#   cold       no local state (ours: an empty --cache-dir; buildah: a wiped storage root; both wiped before the
#              clock starts) and a new destination repository (so our registry cache repository, DEST/cache, is
#              empty too)
#   no-change  the last cold run's destination again, same local state, nothing changed
#   one-change one context file rewritten, same destination and local state
#
# Usage: sudo benchmarks/speed-vs-buildah.sh [RUNS]                 (default 3)
# Environment:
#   WORKLOADS="dotnet busybox aspnet"  which workloads (in this order)
#   PEERS="ours buildah"               which builders ("ours" alone to iterate on this tool)
#   OURS_FLAGS="--cache --cache-copy-layers"  the layer-cache flags of ours (buildah runs with --layers, which caches
#                                      every step, so COPY layers are cached here too)
#   KANIKO_EXE=PATH                    the dotnet-kaniko executable to time; default: what users install, the
#                                      linux-x64 ReadyToRun publish (framework-dependent), published first into the
#                                      work folder and run through its apphost (benchmarks/kaniko-tool.sh)
#   KANIKO_DLL=PATH                    or `dotnet DLL` instead, e.g. the Release build (JIT at every start)
#   BUILDAH_DRIVER=overlay|vfs         buildah's storage driver (default overlay)
#   KEEP=1                             keep the work folder (each run's log is there)
# With GNU time installed (/usr/bin/time), each run of ours also prints the megabytes it wrote to disk. To compare
# the two ways a stage's root is made, run ours twice: OURS_FLAGS="--cache --cache-copy-layers --stage-root unpack".
# Base images: the integration tests' cached OCI layouts (busybox-v1-*, dotnet-sdk-v1-*, dotnet-aspnet-v1-* under
# ${KANIKO_TEST_CACHE:-~/.cache/kaniko-tests}), pushed with skopeo to a docker-registry this script starts on a free
# loopback port and stops (by its PID) at the end. Needs root (RUN steps, buildah's chroot isolation), buildah,
# skopeo, docker-registry, curl (scripts/install-test-deps.sh). Times are wall times of the whole command.
set -euo pipefail

runs=${1:-3}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
workloads=${WORKLOADS:-dotnet busybox aspnet}
peers=${PEERS:-ours buildah}
ours_flags=${OURS_FLAGS:---cache --cache-copy-layers}
driver=${BUILDAH_DRIVER:-overlay}
fixtures=${KANIKO_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kaniko-tests}
work=$(mktemp -d -t kaniko-speed-bench-XXXXXX)

log() { echo "[speed] $*"; }
die() { echo "[speed] error: $*" >&2; exit 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

source "$repo_root/benchmarks/local-registry.sh"
cleanup() {
  stop_local_registry
  if [[ -d $work/buildah ]]; then buildah --root "$work/buildah/root" --runroot "$work/buildah/run" --storage-driver "$driver" rm --all >/dev/null 2>&1 || true; fi
  if [[ ${KEEP:-0} == 1 ]]; then log "work folder kept: $work"; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT

[[ $(id -u) -eq 0 ]] || die "run as root: RUN steps and buildah's chroot isolation need it here"
for tool in skopeo curl dotnet; do command -v "$tool" >/dev/null || die "$tool not installed (scripts/install-test-deps.sh)"; done
[[ " $peers " != *" buildah "* ]] || command -v buildah >/dev/null || die "buildah not installed (scripts/install-test-deps.sh)"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }'; }

# ---- the registry and the base images
start_local_registry "$work"
registry=127.0.0.1:$registry_port
log "registry on $registry (pid $registry_pid)"
printf '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/policy.json"
cat >"$work/registries.conf" <<CONF
unqualified-search-registries = []
short-name-mode = "disabled"
[[registry]]
location = "$registry"
insecure = true
CONF

push_fixture() { # LAYOUT-PREFIX TAG-IN-LAYOUT REFERENCE
  local layout
  layout=$(ls -d "$fixtures/$1"-v* 2>/dev/null | head -n1 || true)
  [[ -n $layout && -f $layout/index.json ]] || die "no $1 layout in $fixtures: run the integration tests once (BaseImages fixtures)"
  skopeo --policy "$work/policy.json" copy --quiet --dest-tls-verify=false "oci:$layout:$2" "docker://$registry/$3"
}
for workload in $workloads; do
  case $workload in
    dotnet) push_fixture dotnet-sdk 10.0 dotnet/sdk:10.0; push_fixture dotnet-aspnet 10.0 dotnet/aspnet:10.0 ;;
    busybox) push_fixture busybox latest busybox:latest ;;
    aspnet) push_fixture dotnet-aspnet 10.0 dotnet/aspnet:10.0 ;;
    *) die "unknown workload $workload (dotnet, busybox, aspnet)" ;;
  esac
done
log "base images pushed"

# ---- this tool
source "$repo_root/benchmarks/kaniko-tool.sh"
kaniko_tool "$work"
ours=("${kaniko[@]}")
log "ours: ${ours[*]}"

# ---- the contexts: built once, in the work folder
prepare_context() { # WORKLOAD -> prints the context folder
  local ctx=$work/ctx-$1
  rm -rf "$ctx"
  case $1 in
    dotnet)
      cp -a "$repo_root/samples/multistage-sdk" "$ctx"
      rm -rf "$ctx/bin" "$ctx/obj" ;;
    busybox)
      cp -a "$repo_root/benchmarks/fixtures/busybox-two-stage" "$ctx" ;;
    aspnet)
      local app=$work/aspnet-app
      if [[ ! -f $app/out/MultistageSdk.dll ]]; then
        cp -a "$repo_root/samples/multistage-sdk" "$app"
        DOTNET_NOLOGO=1 dotnet publish "$app/MultistageSdk.csproj" -c Release -o "$app/out" -v quiet -nologo >/dev/null
      fi
      cp -a "$app/out" "$ctx"
      printf 'ARG BASE\nFROM ${BASE}\nWORKDIR /app\nCOPY . .\nUSER $APP_UID\nENTRYPOINT ["dotnet", "MultistageSdk.dll"]\n' >"$ctx/Dockerfile"
      echo "stamp 0" >"$ctx/stamp.txt" ;;
  esac
  echo "$ctx"
}

base_args() { # WORKLOAD -> the --build-arg of the workload's base
  case $1 in
    dotnet) echo "REGISTRY=$registry" ;;
    busybox) echo "BASE=$registry/busybox:latest" ;;
    aspnet) echo "BASE=$registry/dotnet/aspnet:10.0" ;;
  esac
}

change_context() { # WORKLOAD CONTEXT RUN
  local stamp="$3-$RANDOM$RANDOM"
  case $1 in
    dotnet) sed -i "s|app.MapGet(\"/\", () => \".*\");|app.MapGet(\"/\", () => \"Hello from multistage-sdk $stamp\");|" "$2/Program.cs" ;;
    busybox) echo "app $stamp" >"$2/app.txt" ;;
    aspnet) echo "stamp $stamp" >"$2/stamp.txt" ;;
  esac
}

# The cold runs' wipes of the last run's local state, done before the clock starts: deleting a gigabyte of unpacked
# layers is not part of a build. --one-file-system: a mount a killed run left behind is never entered.
wipe_ours() { # WORKLOAD
  rm -rf --one-file-system "$work/ours-cache-$1"
}

wipe_buildah() { # WORKLOAD
  buildah --root "$work/buildah/root" --runroot "$work/buildah/run" --storage-driver "$driver" rm --all >/dev/null 2>&1 || true
  rm -rf --one-file-system "$work/buildah"
}

run_ours() { # WORKLOAD CONTEXT DEST COLD LOG
  local cache=$work/ours-cache-$1
  # GNU time's %O: the blocks (512 bytes) the build and its children wrote to disk (their write_bytes in /proc/PID/io).
  local io=()
  [[ -x /usr/bin/time ]] && io=(/usr/bin/time -f "%O" -o "$5.io")
  # shellcheck disable=SC2086
  "${io[@]}" "${ours[@]}" build --context "$2" --build-arg "$(base_args "$1")" --insecure-registry "$registry" --cache-dir "$cache" \
    $ours_flags --destination "$3" --log-timestamp --progress plain >"$5" 2>&1
}

run_buildah() { # WORKLOAD CONTEXT DEST COLD LOG
  local storage=(--root "$work/buildah/root" --runroot "$work/buildah/run" --storage-driver "$driver")
  mkdir -p "$work/buildah"
  CONTAINERS_REGISTRIES_CONF="$work/registries.conf" buildah "${storage[@]}" bud --isolation chroot --layers --format docker \
    --build-arg "$(base_args "$1")" --iidfile "$work/iid" -f "$2/Dockerfile" -t "$3" "$2" >"$5" 2>&1 &&
    CONTAINERS_REGISTRIES_CONF="$work/registries.conf" buildah "${storage[@]}" push --quiet --tls-verify=false \
      "$(cat "$work/iid")" "docker://$3" >>"$5" 2>&1
}

# One builder, one workload: RUNS cold runs, then RUNS no-change runs and RUNS one-change runs on the last cold
# run's destination. Appends "workload builder scenario seconds" lines to $work/times.
measure() { # WORKLOAD BUILDER
  local workload=$1 builder=$2 ctx dest t start scenario i
  ctx=$(prepare_context "$workload")
  local stamp; stamp=$(date +%s)
  for scenario in cold no-change one-change; do
    for ((i = 1; i <= runs; i++)); do
      local cold=0
      if [[ $scenario == cold ]]; then cold=1; dest=$registry/bench/$workload-$builder-$stamp-$i:latest; fi
      [[ $scenario == one-change ]] && change_context "$workload" "$ctx" "$i"
      local runlog=$work/$workload-$builder-$scenario-$i.log
      [[ $cold == 1 ]] && "wipe_$builder" "$workload"
      start=$(date +%s.%N)
      "run_$builder" "$workload" "$ctx" "$dest" "$cold" "$runlog" || { tail -30 "$runlog" >&2; die "$builder failed on $workload ($scenario run $i)"; }
      t=$(seconds "$start")
      echo "$workload $builder $scenario $t" >>"$work/times"
      local written=""
      [[ -f $runlog.io ]] && written=$(awk 'END { printf "  written %.0f MB", $1 * 512 / 1048576 }' "$runlog.io")
      log "$(printf '%-8s %-8s %-11s run %d: %6.2f s   (load %s)%s' "$workload" "$builder" "$scenario" "$i" "$t" "$(load)" "$written")"
    done
  done
}

: >"$work/times"
log "load before the runs: $(load) on $(nproc) cores"
for workload in $workloads; do
  for builder in $peers; do
    measure "$workload" "$builder"
  done
done
log "load after the runs: $(load)"

echo
printf '%-8s %-11s' workload scenario
for builder in $peers; do printf ' %10s' "$builder"; done
[[ " $peers " == *" ours "* && " $peers " == *" buildah "* ]] && printf ' %14s' "ours/buildah"
echo
for workload in $workloads; do
  for scenario in cold no-change one-change; do
    printf '%-8s %-11s' "$workload" "$scenario"
    declare -A med=()
    for builder in $peers; do
      med[$builder]=$(awk -v w="$workload" -v b="$builder" -v s="$scenario" '$1 == w && $2 == b && $3 == s { print $4 }' "$work/times" | median)
      printf ' %9ss' "${med[$builder]}"
    done
    if [[ -n ${med[ours]:-} && -n ${med[buildah]:-} ]]; then
      printf ' %13sx' "$(awk -v o="${med[ours]}" -v p="${med[buildah]}" 'BEGIN { printf "%.2f", o / p }')"
    fi
    unset med
    echo
  done
done
echo "(medians of $runs runs, build + push, seconds; buildah $(buildah --version 2>/dev/null | cut -d' ' -f3) $driver storage, chroot isolation, --layers; ours $ours_flags)"
