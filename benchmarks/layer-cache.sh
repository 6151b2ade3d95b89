#!/usr/bin/env bash
# Times whole CLI builds without the layer cache, cold (empty cache) and warm (nothing changed), pushing to a local
# registry on 127.0.0.1, and prints each run and the medians. Two Dockerfiles: COPY-only (FROM scratch, three COPY
# steps of a generated context) and RUN (FROM busybox, two RUN steps that write files, then a COPY); the RUN one
# needs the busybox OCI layout the integration tests cache ($BUSYBOX_LAYOUT, default: the first
# ${XDG_CACHE_HOME:-~/.cache}/kaniko-tests/busybox-v1-*), pushed with skopeo.
# Usage: benchmarks/layer-cache.sh [RUNS=3] [FILES=2000] [FILE_KIB=48]   (needs /usr/bin/docker-registry)
#   cold:   new cache folder and new destination repository (its /cache repository is empty too)
#   warm:   the same cache folder and destination again: every step is a local hit
#   remote: a new cache folder, the same cache repository: every step is a registry hit (no layer downloaded)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
files="${2:-2000}"
file_kib="${3:-48}"
work="$(mktemp -d -t kaniko-layer-cache-XXXXXX)"

source "$root/benchmarks/local-registry.sh"

cleanup() {
  stop_local_registry
  rm -rf "$work"
}
trap cleanup EXIT

start_local_registry "$work"
port="$registry_port"

# A context of half compressible text, half random bytes, in three COPY steps.
ctx="$work/context"
mkdir -p "$ctx/src" "$ctx/assets"
python3 - "$ctx" "$files" "$file_kib" <<'PY'
import os, random, sys
ctx, files, kib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
for i in range(files):
    folder = "src" if i % 2 == 0 else "assets"
    path = os.path.join(ctx, folder, f"d{i % 40}", f"f{i}.bin")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        if folder == "src":
            f.write((f"line {i} of a source file\n" * (kib * 1024 // 26 + 1)).encode()[: kib * 1024])
        else:
            f.write(rng.randbytes(kib * 1024))
with open(os.path.join(ctx, "version.txt"), "w") as f:
    f.write("1\n")
PY
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY src/ /app/src/
COPY assets/ /app/assets/
COPY version.txt /app/
DOCKERFILE
echo "context: $(du -sh "$ctx" | cut -f1) in $files files"

# The tool users install (KANIKO_EXE / KANIKO_DLL to time another; benchmarks/kaniko-tool.sh).
source "$root/benchmarks/kaniko-tool.sh"
kaniko_tool "$work"

build() { # build CACHE_DIR DESTINATION [extra flags...]
  local cache="$1" dest="$2"; shift 2
  local start end
  start=$(date +%s.%N)
  "${kaniko[@]}" build --context "$ctx" --destination "$dest" --insecure-registry "127.0.0.1:$port" \
    --reproducible --cache-dir "$cache" "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}

scenario() { # scenario NAME CONTEXT
  local name="$1" context="$2"
  local -a none=() cold=() warm=() remote=()
  for run in $(seq 1 "$runs"); do
    local repo="127.0.0.1:$port/bench-$name-$run"
    ctx="$context"
    none+=("$(build "$work/cache-$name-none-$run" "$repo-plain:1")")
    cold+=("$(build "$work/cache-$name-$run" "$repo:1" --cache --cache-copy-layers)")
    warm+=("$(build "$work/cache-$name-$run" "$repo:1" --cache --cache-copy-layers)")
    local hits; hits=$(grep -c "^cache hit" "$work/last.log" || true)
    remote+=("$(build "$work/cache-$name-remote-$run" "$repo:1" --cache --cache-copy-layers)")
    local rhits; rhits=$(grep -c "^cache hit" "$work/last.log" || true)
    echo "$name run $run: no cache ${none[-1]}s, cold ${cold[-1]}s, warm ${warm[-1]}s ($hits local hits), remote ${remote[-1]}s ($rhits registry hits)"
  done
  echo "$name median: no cache $(median "${none[@]}")s, cold $(median "${cold[@]}")s, warm $(median "${warm[@]}")s, remote $(median "${remote[@]}")s"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

scenario copy "$work/context"

layout="${BUSYBOX_LAYOUT:-$(ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/kaniko-tests/busybox-v1-* 2>/dev/null | head -n 1)}"
if [[ -z "$layout" || ! -f "$layout/index.json" ]]; then
  echo "no busybox OCI layout (run the integration tests once, or set BUSYBOX_LAYOUT): RUN scenario skipped"
  exit 0
fi
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:latest" "docker://127.0.0.1:$port/busybox:latest"
runctx="$work/run-context"
mkdir -p "$runctx"
echo "config" >"$runctx/app.conf"
cat >"$runctx/Dockerfile" <<DOCKERFILE
FROM 127.0.0.1:$port/busybox:latest
RUN mkdir -p /opt/data && for i in \$(seq 1 400); do head -c 65536 /dev/urandom > /opt/data/blob-\$i; done
RUN for i in \$(seq 1 200); do sha256sum /opt/data/blob-\$i >> /opt/data/sums; done
COPY app.conf /opt/data
DOCKERFILE
scenario run "$runctx"
