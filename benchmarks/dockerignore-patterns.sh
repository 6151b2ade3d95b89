#!/usr/bin/env bash
# Builds a scratch image whose context has a .dockerignore of many "**" patterns (dN/**/*.bin, 9,000 by default) and
# DIRS matching directories, with the CLI, and reports its wall time and peak resident set (GNU time).
# Usage: benchmarks/dockerignore-patterns.sh [PATTERNS=9000] [DIRS=200]   (needs /usr/bin/time)
# The tool timed: the linux-x64 ReadyToRun publish users install, published into the work folder first
# (KANIKO_EXE / KANIKO_DLL to time another; benchmarks/kaniko-tool.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
patterns="${1:-9000}"
dirs="${2:-200}"
work="$(mktemp -d -t kaniko-dockerignore-XXXXXX)"
trap 'rm -rf "$work"' EXIT

context="$work/context"
mkdir -p "$context"
for ((i = 0; i < patterns; i++)); do echo "d$i/**/*.bin"; done >"$context/.dockerignore"
step=$(( patterns / dirs > 0 ? patterns / dirs : 1 ))
for ((i = 0; i < patterns; i += step)); do
  mkdir -p "$context/d$i/sub"
  echo x >"$context/d$i/sub/x.bin"
  echo k >"$context/d$i/sub/keep.txt"
done
printf 'FROM scratch\nCOPY . /ctx/\n' >"$context/Dockerfile"

source "$root/benchmarks/kaniko-tool.sh"
kaniko_tool "$work"
/usr/bin/time -v "${kaniko[@]}" build --context "$context" --no-push --tar-path "$work/image.tar" >/dev/null 2>"$work/time.txt"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$work/time.txt"
