#!/usr/bin/env bash
# Publishes src/dotnet-kaniko as the executor image holds it: self-contained for linux-x64, one file, compressed.
# Usage: scripts/publish-executor.sh DIR   (DIR receives the executable `dotnet-kaniko`)
set -euo pipefail
out=${1:?usage: scripts/publish-executor.sh DIR}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Self-contained, so the image needs no .NET. The single-file bundle is compressed: it halves the unpacked size
# (about 42 MB instead of 79 MB) for the same compressed layer, at the cost of about 0.1 s and 30 MB of memory per
# start. Trimming is left off: the engine serialises JSON through reflection in places, which trimming would break.
dotnet publish "$repo_root/src/dotnet-kaniko" -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none \
  -o "$out" --nologo -v quiet
