#!/usr/bin/env bash
# Times whole CLI builds of a COPY-only Dockerfile (and a RUN one when RUN=1) without the layer cache, cold (empty
# cache) and warm (nothing changed), pushing to a local registry on 127.0.0.1, and prints each run and the medians.
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

dotnet build "$root/src/dotnet-kaniko" -c Release -v quiet -nologo >/dev/null
cli="$root/src/dotnet-kaniko/bin/Release/net10.0/dotnet-kaniko.dll"

build() { # build CACHE_DIR DESTINATION [extra flags...]
  local cache="$1" dest="$2"; shift 2
  local start end
  start=$(date +%s.%N)
  dotnet "$cli" build --context "$ctx" --destination "$dest" --insecure-registry "127.0.0.1:$port" \
    --reproducible --cache-dir "$cache" "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}

declare -a none cold warm remote
for run in $(seq 1 "$runs"); do
  repo="127.0.0.1:$port/bench-$run"
  none+=("$(build "$work/cache-none-$run" "$repo-plain:1")")
  cold+=("$(build "$work/cache-$run" "$repo:1" --cache --cache-copy-layers)")
  warm+=("$(build "$work/cache-$run" "$repo:1" --cache --cache-copy-layers)")
  hits=$(grep -c "^cache hit" "$work/last.log" || true)
  remote+=("$(build "$work/cache-remote-$run" "$repo:1" --cache --cache-copy-layers)")
  rhits=$(grep -c "^cache hit" "$work/last.log" || true)
  echo "run $run: no cache ${none[-1]}s, cold ${cold[-1]}s, warm ${warm[-1]}s ($hits local hits), remote ${remote[-1]}s ($rhits registry hits)"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median: no cache $(median "${none[@]}")s, cold $(median "${cold[@]}")s, warm $(median "${warm[@]}")s, remote $(median "${remote[@]}")s"
