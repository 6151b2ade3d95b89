#!/usr/bin/env bash
# Publishes dotnet-kaniko for one runtime as one self-contained file, as it is handed to users of that system:
#   scripts/publish-cli.sh win-x64 DIR     (also osx-arm64, osx-x64, linux-x64, linux-arm64)
# The intermediate files go to a private folder, so the publish leaves the source tree's obj/ and bin/ alone.
set -euo pipefail
rid=${1:?usage: scripts/publish-cli.sh RID DIR}
out=${2:?usage: scripts/publish-cli.sh RID DIR}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
artifacts=$(mktemp -d "${TMPDIR:-/tmp}/kaniko-cli-publish.XXXXXX")
trap 'rm -rf "$artifacts"' EXIT
dotnet publish "$repo_root/src/dotnet-kaniko" -c Release -r "$rid" --self-contained \
  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:DebugType=none -p:GenerateDocumentationFile=false \
  --artifacts-path "$artifacts" -o "$out" --nologo -v quiet
