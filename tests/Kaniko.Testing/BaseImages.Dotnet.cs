using System.Globalization;

namespace Kaniko.Testing;

/// <summary>The .NET base images, stacked as Microsoft's: each adds one layer to the one before.</summary>
public enum DotnetImageFlavor
{
    /// <summary><c>dotnet/runtime-deps</c>: Debian plus the native libraries .NET needs and the <c>app</c> user (1654).</summary>
    RuntimeDeps,

    /// <summary><c>dotnet/runtime</c>: plus the <c>dotnet</c> host, hostfxr and Microsoft.NETCore.App.</summary>
    Runtime,

    /// <summary><c>dotnet/aspnet</c>: plus Microsoft.AspNetCore.App.</summary>
    Aspnet,

    /// <summary><c>dotnet/sdk</c>: plus the SDK, its packs, workload manifests and templates.</summary>
    Sdk,
}

public static partial class BaseImages
{
    /// <summary>Bump when the content or shape of the .NET images changes, so caches rebuild.</summary>
    public const int DotnetContentVersion = 1;

    /// <summary>The tag of every .NET image, in its layout and in the registry.</summary>
    public const string DotnetTag = "10.0";

    /// <summary>The uid and gid of the <c>app</c> user of Microsoft's images.</summary>
    public const int DotnetAppUid = 1654;

    /// <summary>Where Microsoft's images install .NET.</summary>
    public const string DotnetImageRoot = "usr/share/dotnet";

    private static readonly SemaphoreSlim DotnetLock = new(1, 1);

    // Microsoft's runtime-deps step: the libraries .NET loads, then the non-root user its images run as. apt runs in a
    // chroot of the extracted Debian tree inside a private mount namespace (/dev and /proc bound for the maintainer
    // scripts vanish with it), with the host's resolver to reach the same mirror debootstrap used.
    private const string RuntimeDepsScript = """
        set -eu
        root=$1
        mount --rbind /dev "$root/dev"
        mount -t proc proc "$root/proc"
        cp -L /etc/resolv.conf "$root/etc/resolv.conf"
        chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
          DEBIAN_FRONTEND=noninteractive http_proxy="${http_proxy:-}" https_proxy="${https_proxy:-}" /bin/sh -euc '
          apt-get -qq -o APT::Sandbox::User=root update
          apt-get -qq -o APT::Sandbox::User=root install -y --no-install-recommends ca-certificates libicu72 libssl3 tzdata
          groupadd --gid=1654 app
          useradd --no-log-init --uid=1654 --gid=1654 --create-home app
          apt-get clean
          rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log /var/log/alternatives.log \
            /var/cache/debconf/*-old /var/lib/dpkg/*-old /var/cache/ldconfig/aux-cache
          mkdir -p /var/lib/apt/lists/partial'
        rm -f "$root/etc/resolv.conf"
        """;

    /// <summary>The repository of <paramref name="flavor"/>, e.g. <c>dotnet/aspnet</c>.</summary>
    public static string DotnetRepository(DotnetImageFlavor flavor) => flavor switch
    {
        DotnetImageFlavor.RuntimeDeps => "dotnet/runtime-deps",
        DotnetImageFlavor.Runtime => "dotnet/runtime",
        DotnetImageFlavor.Aspnet => "dotnet/aspnet",
        DotnetImageFlavor.Sdk => "dotnet/sdk",
        _ => throw new ArgumentOutOfRangeException(nameof(flavor), flavor, null),
    };

    /// <summary>
    /// The cached OCI layout of <paramref name="flavor"/>, built on first use from its parent's (Debian for
    /// runtime-deps), with the .NET of this machine (versions found under its dotnet root).
    /// </summary>
    public static async Task<OciLayoutImage> DotnetLayoutAsync(DotnetImageFlavor flavor, CancellationToken cancellationToken = default)
    {
        var parent = flavor == DotnetImageFlavor.RuntimeDeps
            ? await DebianLayoutAsync(cancellationToken).ConfigureAwait(false)
            : await DotnetLayoutAsync(flavor - 1, cancellationToken).ConfigureAwait(false);
        var dotnet = flavor == DotnetImageFlavor.RuntimeDeps ? null : HostDotnet.Find();
        var inputs = dotnet is null ? "" : string.Join(' ', dotnet.RuntimeVersion, dotnet.FxrVersion, dotnet.AspNetCoreVersion, dotnet.SdkVersion);
        var key = string.Create(CultureInfo.InvariantCulture,
            $"dotnet-{DotnetRepository(flavor)[7..]}-v{DotnetContentVersion}-{ShortHash(parent.ManifestDigest, inputs)}");
        await DotnetLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var directory = await TestCache.GetOrCreateDirectoryAsync(
                key, staging => WriteDotnetLayoutAsync(staging, flavor, parent, dotnet, cancellationToken)).ConfigureAwait(false);
            return OciLayoutImage.Read(directory, DotnetTag);
        }
        finally
        {
            DotnetLock.Release();
        }
    }

    /// <summary>
    /// Pushes the cached <paramref name="flavor"/> image to <paramref name="registry"/> as, e.g.,
    /// <c>dotnet/aspnet:10.0</c> (OCI manifest) and <c>dotnet/aspnet:10.0-v2s2</c>.
    /// </summary>
    public static async Task<PushedBaseImage> PushDotnetAsync(RegistryFixture registry, DotnetImageFlavor flavor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var layout = await DotnetLayoutAsync(flavor, cancellationToken).ConfigureAwait(false);
        return await PushLayoutAsync(registry.Host, layout, DotnetRepository(flavor), DotnetTag, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteDotnetLayoutAsync(
        string layout, DotnetImageFlavor flavor, OciLayoutImage parent, HostDotnet? dotnet, CancellationToken cancellationToken)
    {
        var tree = Path.Combine(layout, "tree.tmp");
        try
        {
            Directory.CreateDirectory(tree);
            IReadOnlyList<string> entries;
            string createdBy;
            string[] environment;
            var ownedByRoot = true;
            if (flavor == DotnetImageFlavor.RuntimeDeps)
            {
                entries = await InstallRuntimeDepsAsync(tree, parent, cancellationToken).ConfigureAwait(false);
                createdBy = "kaniko-tests: apt-get install ca-certificates libicu72 libssl3 tzdata; groupadd/useradd app (1654)";
                environment = ["APP_UID=1654", "ASPNETCORE_HTTP_PORTS=8080", "DOTNET_RUNNING_IN_CONTAINER=true"];
                ownedByRoot = false;
            }
            else
            {
                (createdBy, environment) = await StageDotnetFilesAsync(tree, flavor, dotnet!, cancellationToken).ConfigureAwait(false);
                entries = await TreeLayer.ListTreeAsync(tree, cancellationToken).ConfigureAwait(false);
            }

            var layer = await TreeLayer.WriteAsync(tree, entries, Path.Combine(LayeredImageLayout.BlobsDirectory(layout), "layer.partial"), ownedByRoot, cancellationToken)
                .ConfigureAwait(false);
            var named = layer with { Path = OciLayoutWriter.BlobPath(layout, layer.Digest) };
            File.Move(layer.Path, named.Path, overwrite: true);
            await LayeredImageLayout.WriteAsync(layout, DotnetTag, parent, new ImageStep(named, createdBy, environment), parent.Architecture, cmd: null, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            await RemoveTreeAsync(tree, cancellationToken).ConfigureAwait(false);
        }
    }

    // The parent's single layer is extracted as root (owners kept), snapshotted, changed by apt, and the difference
    // becomes the layer: what a builder's RUN step would produce.
    private static async Task<IReadOnlyList<string>> InstallRuntimeDepsAsync(string root, OciLayoutImage debian, CancellationToken cancellationToken)
    {
        RequireRoot("apt-get in a chroot");
        var tar = TestRequirements.Executable("tar");
        var unshare = TestRequirements.Executable("unshare");
        foreach (var digest in debian.LayerDigests)
        {
            await ExternalTools.RunCheckedAsync(
                tar, ["--extract", "--gzip", "--file=" + OciLayoutWriter.BlobPath(debian.Directory, digest), "--directory=" + root, "--numeric-owner", "--same-permissions"],
                TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        }

        var before = await TreeSnapshot.TakeAsync(root, cancellationToken).ConfigureAwait(false);
        var run = await ExternalTools.RunAsync(unshare, ["--mount", "--fork", "/bin/sh", "-c", RuntimeDepsScript, "runtime-deps", root], TimeSpan.FromMinutes(15), cancellationToken)
            .ConfigureAwait(false);
        if (run.ExitCode != 0)
        {
            TestRequirements.Unavailable($"apt-get install of the .NET dependencies from the apt mirror failed (exit {run.ExitCode}): {Tail(run.StandardOutput + run.StandardError)}");
        }

        var after = await TreeSnapshot.TakeAsync(root, cancellationToken).ConfigureAwait(false);
        return before.DiffAndWriteWhiteouts(after, root);
    }

    private static async Task<(string CreatedBy, string[] Environment)> StageDotnetFilesAsync(
        string tree, DotnetImageFlavor flavor, HostDotnet dotnet, CancellationToken cancellationToken)
    {
        var target = Path.Combine(tree, DotnetImageRoot);
        CreateDirectories(tree, DotnetImageRoot);
        switch (flavor)
        {
            case DotnetImageFlavor.Runtime:
                foreach (var file in new[] { "dotnet", "LICENSE.txt", "ThirdPartyNotices.txt" }.Where(f => File.Exists(Path.Combine(dotnet.Root, f))))
                {
                    await LinkTreeAsync(Path.Combine(dotnet.Root, file), Path.Combine(target, file), cancellationToken).ConfigureAwait(false);
                }

                CreateDirectories(target, "host/fxr");
                await LinkTreeAsync(Path.Combine(dotnet.Root, "host/fxr", dotnet.FxrVersion), Path.Combine(target, "host/fxr", dotnet.FxrVersion), cancellationToken)
                    .ConfigureAwait(false);
                CreateDirectories(target, "shared/Microsoft.NETCore.App");
                await LinkTreeAsync(
                    Path.Combine(dotnet.Root, "shared/Microsoft.NETCore.App", dotnet.RuntimeVersion),
                    Path.Combine(target, "shared/Microsoft.NETCore.App", dotnet.RuntimeVersion), cancellationToken).ConfigureAwait(false);
                CreateDirectories(tree, "usr/bin");
                File.CreateSymbolicLink(Path.Combine(tree, "usr/bin/dotnet"), "/" + DotnetImageRoot + "/dotnet");
                return ($"kaniko-tests: .NET runtime {dotnet.RuntimeVersion} (host, hostfxr {dotnet.FxrVersion}) in /{DotnetImageRoot}, /usr/bin/dotnet",
                    ["DOTNET_VERSION=" + dotnet.RuntimeVersion]);
            case DotnetImageFlavor.Aspnet:
                CreateDirectories(target, "shared/Microsoft.AspNetCore.App");
                await LinkTreeAsync(
                    Path.Combine(dotnet.Root, "shared/Microsoft.AspNetCore.App", dotnet.AspNetCoreVersion),
                    Path.Combine(target, "shared/Microsoft.AspNetCore.App", dotnet.AspNetCoreVersion), cancellationToken).ConfigureAwait(false);
                return ($"kaniko-tests: ASP.NET Core {dotnet.AspNetCoreVersion} in /{DotnetImageRoot}/shared", ["ASPNET_VERSION=" + dotnet.AspNetCoreVersion]);
            case DotnetImageFlavor.Sdk:
                // Everything the runtime images do not hold yet; of the SDKs, only the one the image is named for.
                foreach (var entry in Directory.GetFileSystemEntries(dotnet.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal))
                {
                    if (entry is "dotnet" or "host" or "shared" or "LICENSE.txt" or "ThirdPartyNotices.txt" or "sdk" or null)
                    {
                        continue;
                    }

                    await LinkTreeAsync(Path.Combine(dotnet.Root, entry), Path.Combine(target, entry), cancellationToken).ConfigureAwait(false);
                }

                CreateDirectories(target, "sdk");
                await LinkTreeAsync(Path.Combine(dotnet.Root, "sdk", dotnet.SdkVersion), Path.Combine(target, "sdk", dotnet.SdkVersion), cancellationToken)
                    .ConfigureAwait(false);
                return ($"kaniko-tests: .NET SDK {dotnet.SdkVersion} (sdk, packs, sdk-manifests, templates) in /{DotnetImageRoot}",
                [
                    "DOTNET_GENERATE_ASPNET_CERTIFICATE=false", "DOTNET_NOLOGO=true", "DOTNET_SDK_VERSION=" + dotnet.SdkVersion,
                    "DOTNET_USE_POLLING_FILE_WATCHER=true", "NUGET_XMLDOC_MODE=skip", "DOTNET_CLI_TELEMETRY_OPTOUT=true",
                ]);
            default:
                throw new ArgumentOutOfRangeException(nameof(flavor), flavor, null);
        }
    }

    // Directories the fixture makes itself get the mode every image directory of these packages has.
    private static void CreateDirectories(string root, string relative)
    {
        var current = root;
        foreach (var part in relative.Split('/'))
        {
            current = Path.Combine(current, part);
            Directory.CreateDirectory(current);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(current, (UnixFileMode)0x1ED); // 0755
            }
        }
    }

    // Hard links make staging the SDK (~500 MB) free; the host's files are only read, never changed, through them.
    private static async Task LinkTreeAsync(string source, string destination, CancellationToken cancellationToken)
    {
        var linked = await ExternalTools.RunAsync("cp", ["-a", "--link", source, destination], TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        if (linked.ExitCode != 0)
        {
            await RemoveTreeAsync(destination, cancellationToken).ConfigureAwait(false);
            await ExternalTools.RunCheckedAsync("cp", ["-a", source, destination], TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>The .NET installation of this machine, whose files the .NET test images carry.</summary>
/// <param name="Root">The dotnet root (<c>/usr/share/dotnet</c> here).</param>
/// <param name="RuntimeVersion">The newest Microsoft.NETCore.App of <see cref="BaseImages.DotnetTag"/>.</param>
/// <param name="FxrVersion">The newest hostfxr.</param>
/// <param name="AspNetCoreVersion">The newest Microsoft.AspNetCore.App of the same feature band.</param>
/// <param name="SdkVersion">The newest SDK of the same major version.</param>
public sealed record HostDotnet(string Root, string RuntimeVersion, string FxrVersion, string AspNetCoreVersion, string SdkVersion)
{
    /// <summary>Finds the installation from <c>dotnet</c> on PATH (else <c>/usr/share/dotnet</c>); skips the test without one.</summary>
    public static HostDotnet Find()
    {
        var root = ExternalTools.Find("dotnet") is { } onPath && new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true) is { } target
            ? Path.GetDirectoryName(target.FullName)!
            : ExternalTools.Find("dotnet") is { } direct ? Path.GetDirectoryName(direct)! : "/usr/share/dotnet";
        var runtime = Newest(root, "shared/Microsoft.NETCore.App", BaseImages.DotnetTag + ".");
        var aspnet = Newest(root, "shared/Microsoft.AspNetCore.App", BaseImages.DotnetTag + ".");
        var fxr = Newest(root, "host/fxr", "");
        var sdk = Newest(root, "sdk", BaseImages.DotnetTag.Split('.')[0] + ".");
        if (runtime is null || aspnet is null || fxr is null || sdk is null)
        {
            TestRequirements.Unavailable($"no .NET {BaseImages.DotnetTag} runtime, ASP.NET Core, hostfxr and SDK under {root}");
        }

        return new HostDotnet(root, runtime, fxr, aspnet, sdk);
    }

    private static string? Newest(string root, string folder, string prefix)
    {
        var directory = Path.Combine(root, folder);
        return Directory.Exists(directory)
            ? Directory.GetDirectories(directory).Select(Path.GetFileName)
                .Where(v => v!.StartsWith(prefix, StringComparison.Ordinal) && Version.TryParse(v.Split('-')[0], out _))
                .MaxBy(v => Version.Parse(v!.Split('-')[0]))
            : null;
    }
}
