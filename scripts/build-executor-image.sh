#!/usr/bin/env bash
# Builds the executor image (images/executor/Dockerfile, described in docs/executor.md): publishes src/dotnet-kaniko
# self-contained for linux-x64 as one file, then builds the image with that very binary (`dotnet-kaniko build`).
#
# Usage: scripts/build-executor-image.sh --runtime-deps IMAGE [--debug] [--publish-dir DIR] [BUILD OPTIONS...]
#   --runtime-deps IMAGE  a Debian 12 dotnet/runtime-deps image to take glibc, libstdc++, OpenSSL and the CA
#                         certificates from, e.g. <registry>/dotnet/runtime-deps:10.0
#   --debug               build the `debug` target: the same image plus busybox (a shell) under /busybox; needs
#                         --build-arg BUSYBOX=IMAGE unless busybox:latest can be pulled
#   --publish-dir DIR     use the self-contained publish already in DIR (holding `dotnet-kaniko`) instead of
#                         publishing again
#   BUILD OPTIONS         go to `dotnet-kaniko build` as they are: --destination <registry>/kaniko/executor:TAG, or
#                         --no-push --tar-path FILE / --oci-layout-path DIR; --insecure-pull for a plain-HTTP
#                         registry, and so on (docs/cli.md)
# Example: scripts/build-executor-image.sh --runtime-deps 127.0.0.1:5000/dotnet/runtime-deps:10.0 --insecure-pull \
#            --no-push --oci-layout-path artifacts/executor/oci
set -euo pipefail
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

runtime_deps=""
publish_dir=""
target=executor
build_options=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runtime-deps) runtime_deps=${2:?--runtime-deps needs an image}; shift 2 ;;
    --runtime-deps=*) runtime_deps=${1#*=}; shift ;;
    --publish-dir) publish_dir=${2:?--publish-dir needs a folder}; shift 2 ;;
    --publish-dir=*) publish_dir=${1#*=}; shift ;;
    --debug) target=debug; shift ;;
    *) build_options+=("$1"); shift ;;
  esac
done
if [[ -z $runtime_deps ]]; then
  echo "build-executor-image: --runtime-deps IMAGE is required (a Debian 12 dotnet/runtime-deps image)" >&2
  exit 2
fi

if [[ -z $publish_dir ]]; then
  publish_dir=artifacts/executor/publish
  rm -rf "$publish_dir"
  scripts/publish-executor.sh "$publish_dir"
fi
tool="$publish_dir/dotnet-kaniko"
if [[ ! -x $tool ]]; then
  echo "build-executor-image: $tool is missing or not executable" >&2
  exit 2
fi
echo "executor binary: $(stat -c %s "$tool") bytes"

# The context: the published binary and the folders the image gives every user (mode 1777, as /tmp), so a
# container run as another user than root can still keep its temporary files and its cache there.
context=$(mktemp -d)
trap 'rm -rf -- "$context"' EXIT
ln "$tool" "$context/dotnet-kaniko" 2>/dev/null || cp "$tool" "$context/dotnet-kaniko"
mkdir -p "$context/kaniko-folders/tmp" "$context/kaniko-folders/cache"
chmod 1777 "$context/kaniko-folders/tmp" "$context/kaniko-folders/cache"
"$tool" build --context "$context" --dockerfile images/executor/Dockerfile \
  --target "$target" --build-arg "RUNTIME_DEPS=$runtime_deps" "${build_options[@]}"
