#!/usr/bin/env bash
# Packs every package of the repository (Kaniko.Sdk, the dotnet-kaniko tool) into artifacts/packages.
# Usage: scripts/pack.sh [extra dotnet pack arguments, e.g. -p:Version=1.2.3]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
output=artifacts/packages
mkdir -p "$output"
for project in src/Kaniko.Sdk src/dotnet-kaniko; do
  dotnet pack "$project" -c Release -o "$output" --nologo -v quiet -p:ContinuousIntegrationBuild=true "$@"
done
ls -1 "$output"
