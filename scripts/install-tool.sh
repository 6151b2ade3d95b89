#!/usr/bin/env bash
# Packs src/dotnet-kaniko and installs it as a global .NET tool, so that `dotnet kaniko ...` works from any folder.
# Usage: scripts/install-tool.sh            (re-run after pulling changes: it updates the installed tool)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
feed=artifacts/tool-feed
rm -rf "$feed"
dotnet pack src/dotnet-kaniko -c Release -o "$feed" --nologo -v quiet
# The top-level package (dotnet-kaniko.VERSION.nupkg) points at the RID packages (dotnet-kaniko.linux-x64.VERSION, .any.VERSION).
version=$(ls "$feed"/dotnet-kaniko.[0-9]*.nupkg | sed -E 's/.*dotnet-kaniko\.(.*)\.nupkg/\1/')
# `update` installs when missing and replaces an older build of the same version.
dotnet tool uninstall --global dotnet-kaniko >/dev/null 2>&1 || true
dotnet tool install --global --add-source "$feed" --version "$version" dotnet-kaniko
tools_dir="${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools"
case ":$PATH:" in
  *":$tools_dir:"*) ;;
  *) echo "note: add $tools_dir to PATH (for example: export PATH=\"\$PATH:$tools_dir\") so that 'dotnet kaniko' is found" ;;
esac
