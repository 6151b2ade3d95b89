#!/usr/bin/env bash
# make-aspnet-layout.sh DIR
#
# Writes an OCI layout DIR (tag 10.0) standing in for dotnet/aspnet:10.0 when the test fixtures' cache (made by
# tests/Kaniko.Testing's BaseImages, which needs debootstrap and an apt mirror) is not there: this machine's dotnet
# host, hostfxr, Microsoft.NETCore.App and Microsoft.AspNetCore.App with /etc/passwd and /etc/group naming the app
# user (1654), in one layer of about 50 MB, and the aspnet image's environment. No Debian userland, so its images do
# not run; for sdk-vs-mnbc.sh, which builds and pushes on top of the base and never runs it, that is enough: both
# tools read only its manifest and config and mount its layer. Needs umoci.
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 DIR" >&2; exit 2; }
layout=$1
[[ ! -e $layout ]] || { echo "$layout exists" >&2; exit 1; }
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
runtime=$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | tail -1)
aspnet=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)
fxr=$(ls "$dotnet_root/host/fxr" | sort -V | tail -1)
bundle=$(mktemp -d -t aspnet-bundle-XXXXXX)
trap 'rm -rf --one-file-system "$bundle"' EXIT
rmdir "$bundle"

umoci init --layout "$layout"
umoci new --image "$layout:10.0"
umoci unpack --image "$layout:10.0" "$bundle"
root=$bundle/rootfs
mkdir -p "$root/etc" "$root/tmp" "$root/home/app"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1654:1654::/home/app:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' > "$root/etc/group"
chown 1654:1654 "$root/home/app"
chmod 1777 "$root/tmp"
share=$root/usr/share/dotnet
mkdir -p "$root/usr/bin" "$share/host/fxr" "$share/shared/Microsoft.NETCore.App" "$share/shared/Microsoft.AspNetCore.App"
cp -a "$dotnet_root/dotnet" "$share/"
cp -a "$dotnet_root/host/fxr/$fxr" "$share/host/fxr/"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App/$runtime" "$share/shared/Microsoft.NETCore.App/"
ln -s /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
cp -a "$dotnet_root/shared/Microsoft.AspNetCore.App/$aspnet" "$share/shared/Microsoft.AspNetCore.App/"
umoci repack --image "$layout:10.0" "$bundle"

umoci config --image "$layout:10.0" --os linux --architecture amd64 \
  --config.env APP_UID=1654 --config.env ASPNETCORE_HTTP_PORTS=8080 --config.env DOTNET_RUNNING_IN_CONTAINER=true \
  --config.env "DOTNET_VERSION=$runtime" --config.env "ASPNET_VERSION=$aspnet"
umoci gc --layout "$layout"
echo "$layout:10.0 (.NET $runtime, ASP.NET Core $aspnet)"
