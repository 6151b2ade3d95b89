#!/usr/bin/env bash
# Installs the storage emulators the bucket-context tests start on 127.0.0.1, from npm, into the test cache
# ($KANIKO_TEST_CACHE, else $XDG_CACHE_HOME/kaniko-tests, else ~/.cache/kaniko-tests; the same folder as
# Kaniko.Testing.TestCache): npm/<package>-<version>/node_modules. An installed version is never fetched again.
#   azurite          Azure Blob Storage (Microsoft's emulator)
#   s3rver           an S3 server
#   firebase-tools   its Cloud Storage emulator serves the Google Cloud Storage JSON API (the tests start that
#                    server alone, see tests/Kaniko.Testing/Emulators/gcs-emulator.js)
# Package scripts are not run (--ignore-scripts): the servers need none, and some would download binaries.
set -euo pipefail

emulators=(
  azurite@3.37.0
  s3rver@3.7.1
  firebase-tools@15.34.2
)

log() { echo "[install-bucket-emulators] $*"; }

if [[ -n "${KANIKO_TEST_CACHE:-}" ]]; then
  cache="$KANIKO_TEST_CACHE"
elif [[ "${XDG_CACHE_HOME:-}" == /* ]]; then
  cache="$XDG_CACHE_HOME/kaniko-tests"
else
  cache="$HOME/.cache/kaniko-tests"
fi

if ! command -v npm >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    log "npm is missing: install Node.js 20 or later with npm"
    exit 1
  fi
  log "installing npm"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends npm >/dev/null
fi

mkdir -p "$cache/npm"
for spec in "${emulators[@]}"; do
  name=${spec%@*}
  version=${spec#*@}
  target="$cache/npm/$name-$version"
  if [[ -d "$target/node_modules/$name" ]]; then
    continue
  fi
  staging=$(mktemp -d "$cache/npm/.staging-$name-XXXXXX")
  log "npm install $spec"
  npm_log="$staging.log"
  if ! npm install --prefix "$staging" --no-audit --no-fund --ignore-scripts --loglevel=error "$spec" >"$npm_log" 2>&1; then
    log "npm install $spec failed; last lines of its output:"
    tail -n 20 "$npm_log" >&2
    rm -rf "$staging" "$npm_log"
    exit 1
  fi
  rm -f "$npm_log"
  # Renamed into place whole, so a test never sees half an install.
  rm -rf "$target"
  mv "$staging" "$target"
done
log "emulators ready in $cache/npm"
