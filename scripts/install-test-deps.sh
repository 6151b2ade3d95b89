#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the test suite uses. Idempotent: installed packages are left alone, and
# `apt-get update` runs only when something is missing. Needs root to install; otherwise it lists what is missing.
set -euo pipefail

packages=(
  docker-registry   # the real distribution registry the integration fixture starts on 127.0.0.1
  skopeo umoci      # independent tools: push/inspect images, unpack OCI layouts
  podman            # loads our docker-archive tarballs into a private store (podman load); runs the executor image as a pod
  runc              # podman's runtime for the executor pod tests: crun refuses a machine with hybrid cgroups
  buildah           # reference builder for comparisons
  bubblewrap uidmap # sandboxed RUN execution and user namespaces
  fuse-overlayfs    # the stage-root ladder's fuse-overlayfs rung (rootless builds where the kernel refuses overlay in a user namespace)
  passwd util-linux # useradd/userdel for the throwaway users of the rootless tests; unshare, setpriv
  busybox-static    # content of the offline busybox base image
  debootstrap debian-archive-keyring # the Debian and .NET test base images (debootstrap from the apt mirror)
  openssl apache2-utils # TLS certificates and htpasswd for the authenticated registry variants
  jq curl ca-certificates
  time              # GNU time: the peak memory of a CLI child process (the .dockerignore memory bound)
  git tar gzip bzip2 xz-utils zstd # ADD and build contexts: git sources (git daemon, git http-backend) and archives made by the system tools in the tests
  openssh-client    # RUN --mount=type=ssh: a real ssh-agent and ssh-add
  nodejs            # the storage emulators of the bucket-context tests (scripts/install-bucket-emulators.sh)
  wine64            # runs dotnet-kaniko.exe (published for win-x64) to test the COPY-only build on Windows
)

log() { echo "[install-test-deps] $*"; }

# The npm-installed storage emulators, once the Debian packages (nodejs among them) are in place.
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
install_npm_emulators() { "$script_dir/install-bucket-emulators.sh"; }

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all ${#packages[@]} packages already installed"
  install_npm_emulators
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  log "missing packages: ${missing[*]}"
  log "install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
  log "(or run this script as root: sudo scripts/install-test-deps.sh)"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Other processes may hold the dpkg lock for a while; wait instead of failing at once.
apt_options=(-o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
log "missing: ${missing[*]}"
apt_log=$(mktemp)
trap 'rm -f "$apt_log"' EXIT
run_apt() {
  # apt and dpkg are chatty (debconf, invoke-rc.d); keep their output unless something fails.
  if ! apt-get "${apt_options[@]}" "$@" >>"$apt_log" 2>&1; then
    log "apt-get $1 failed; last lines of its output:"
    tail -n 20 "$apt_log" >&2
    exit 1
  fi
}
log "running apt-get update"
run_apt update -q
log "installing ${#missing[@]} packages"
run_apt install -y -q --no-install-recommends "${missing[@]}"
log "installed: ${missing[*]}"
install_npm_emulators
