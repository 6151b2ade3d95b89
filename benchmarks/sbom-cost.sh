#!/usr/bin/env bash
# What --sbom adds to a multi-stage .NET build: FROM the SDK fixture (a stage that copies a published app), then
# FROM the ASP.NET fixture with COPY --from. Each variant runs RUNS times with a warm base-image cache (the cache
# folder is shared), so the figure is the SBOM's own cost: reading the final image's layers for package records.
# The first --sbom build also downloads the ASP.NET base layers a COPY-only build never reads (lazy base).
# Usage: benchmarks/sbom-cost.sh [RUNS]   (needs the test fixtures in ~/.cache/kaniko-tests, skopeo, docker-registry)
set -euo pipefail
runs="${1:-3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
source "$root/benchmarks/local-registry.sh"
trap 'stop_local_registry; rm -rf "$work"' EXIT
start_local_registry "$work"
registry="127.0.0.1:$registry_port"
fixtures="${KANIKO_TEST_CACHE:-$HOME/.cache/kaniko-tests}"
for flavor in aspnet sdk; do
  layout="$(ls -d "$fixtures"/dotnet-$flavor-v1-* | head -1)"
  skopeo copy --quiet --dest-tls-verify=false "oci:$layout:10.0" "docker://$registry/dotnet/$flavor:10.0"
done
# The tool users install (KANIKO_EXE / KANIKO_DLL to time another; benchmarks/kaniko-tool.sh).
source "$root/benchmarks/kaniko-tool.sh"
kaniko_tool "$work"
mkdir -p "$work/ctx/app"
dotnet new console -o "$work/app-src" >/dev/null
dotnet publish "$work/app-src" -c Release -o "$work/ctx/app" -v q -nologo >/dev/null
cat >"$work/ctx/Dockerfile" <<DOCKERFILE
FROM $registry/dotnet/sdk:10.0 AS build
COPY app/ /src/
FROM $registry/dotnet/aspnet:10.0
COPY --from=build /src /app
DOCKERFILE
build() {
  local start end
  start=$(date +%s%N)
  "${kaniko[@]}" build --context "$work/ctx" --destination "$registry/app:1" --insecure-registry "$registry" \
    --cache-dir "$work/cache" --progress plain "$@" >/dev/null
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}
build >/dev/null            # warm the base-image cache
build --sbom >/dev/null     # and the ASP.NET layers the SBOM reads
for variant in plain sbom; do
  total=0
  for _ in $(seq "$runs"); do
    if [ "$variant" = sbom ]; then ms=$(build --sbom); else ms=$(build); fi
    total=$((total + ms))
  done
  echo "$variant: $((total / runs)) ms per build (mean of $runs)"
done
