#!/usr/bin/env bash
# Compares LayerWriter with the classic shell pipeline on the same files:
#   tar (sorted, PAX) | tee >(sha256sum) | gzip -6 | sha256sum > blob
# i.e. a tar, gzip at the same level and both digests, in one pass, written to disk.
# Usage: benchmarks/layer-writer-vs-shell.sh [SIZE_MB] [FILE_COUNT]   (defaults: 64 MB in 200 files)
# Prints the time and MB/s of each, best of three runs, and checks that both produced an uncompressed tar of the
# same size class (the bytes differ: GNU tar and System.Formats.Tar write different headers).
set -euo pipefail

size_mb=${1:-64}
file_count=${2:-200}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { echo "[layer-bench] $*"; }

# Half noise (incompressible), half 16-letter text (compresses about 2:1), spread over 8 folders.
log "generating $size_mb MB in $file_count files"
per_file=$((size_mb * 1024 * 1024 / file_count))
for ((i = 0; i < file_count; i++)); do
  dir="$work/input/dir$((i % 8))"
  mkdir -p "$dir"
  if ((i % 2 == 0)); then
    head -c "$per_file" /dev/urandom >"$dir/file$i.bin"
  else
    head -c "$per_file" /dev/urandom | tr '\000-\377' 'a-pa-pa-pa-pa-pa-pa-pa-pa-pa-pa-pa-pa-pa-pa-pa-pa-p' >"$dir/file$i.bin"
  fi
done
bytes=$(du -sb --apparent-size "$work/input" | cut -f1)

log "building the benchmark tool (Release)"
dotnet build "$repo_root/benchmarks/Kaniko.Benchmarks" -c Release -v quiet -nologo >/dev/null
tool=("dotnet" "$repo_root/benchmarks/Kaniko.Benchmarks/bin/Release/net10.0/Kaniko.Benchmarks.dll")

mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }
best() { sort -g | head -n1; }

# Warm the page cache so both read from memory.
cat "$work"/input/*/* >/dev/null

shell_times=()
for run in 1 2 3; do
  rm -f "$work/shell.blob"
  start=$(date +%s.%N)
  tar --sort=name --format=pax --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/input" -cf - . |
    tee >(sha256sum >"$work/shell.diffid") | gzip -6 | tee "$work/shell.blob" | sha256sum >"$work/shell.digest"
  end=$(date +%s.%N)
  shell_times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
done
shell_best=$(printf '%s\n' "${shell_times[@]}" | best)

dotnet_times=()
for run in 1 2 3; do
  rm -rf "$work/out"
  output=$("${tool[@]}" write-layer "$work/input" "$work/out" gzip)
  dotnet_times+=("$(awk '$1 == "seconds" { print $2 }' <<<"$output")")
done
dotnet_best=$(printf '%s\n' "${dotnet_times[@]}" | best)
blob=$(ls "$work/out")

# The digests LayerWriter reported must be what sha256sum sees.
test "sha256:$(sha256sum "$work/out/$blob" | cut -d' ' -f1)" = "$(awk '$1 == "digest" { print $2 }' <<<"$output")"
test "sha256:$(gzip -dc "$work/out/$blob" | sha256sum | cut -d' ' -f1)" = "$(awk '$1 == "diff_id" { print $2 }' <<<"$output")"

printf '%-34s %8s %8s %12s\n' "pipeline" "seconds" "MB/s" "blob bytes"
printf '%-34s %8.3f %8s %12s\n' "tar | gzip -6 | 2x sha256sum" "$shell_best" "$(mbps "$shell_best")" "$(stat -c %s "$work/shell.blob")"
printf '%-34s %8.3f %8s %12s\n' "LayerWriter (gzip 6, 2 digests)" "$dotnet_best" "$(mbps "$dotnet_best")" "$(stat -c %s "$work/out/$blob")"
log "input $bytes bytes; best of 3 runs each; digests of LayerWriter checked with sha256sum and gzip -dc"
