#!/usr/bin/env bash
# The peer wrapper bench.sh calls for this tool: dotnet-kaniko.sh DOCKERFILE CONTEXT DEST
# Builds with the tool users install and pushes DEST: KANIKO_EXE (peer-builds.sh publishes the linux-x64 ReadyToRun
# tool before its runs and sets it), else KANIKO_DLL (`dotnet DLL`), else a publish kept in
# $PEERS_STATE/bench/kaniko-dotnet-tool, made on the first call (delete the folder to publish again).
# Env: KANIKO_BENCH_CACHE (the base-layer cache, default $PEERS_STATE/bench/kaniko-dotnet-cache), PEER_COLD=1 (set by
# bench.sh on cold runs: start with an empty cache).
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${PEERS_STATE:-/tmp/kaniko-peers}/bench
cache=${KANIKO_BENCH_CACHE:-$state/kaniko-dotnet-cache}
source "$repo_root/benchmarks/kaniko-tool.sh"
if [[ -z ${KANIKO_EXE:-} && -z ${KANIKO_DLL:-} && -x $state/kaniko-dotnet-tool/tool/dotnet-kaniko ]]; then
  KANIKO_EXE=$state/kaniko-dotnet-tool/tool/dotnet-kaniko
fi
kaniko_tool "$state/kaniko-dotnet-tool"
if [[ ${PEER_COLD:-0} == 1 ]]; then
  rm -rf "$cache"
fi
registry=${3%%/*}
exec "${kaniko[@]}" build --dockerfile "$1" --context "$2" --destination "$3" \
  --insecure-registry "$registry" --cache-dir "$cache" --progress plain --log-format text
