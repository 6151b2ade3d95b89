using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Kaniko.Testing;

public static partial class BaseImages
{
    /// <summary>Bump when the content or shape of the Debian image changes, so caches rebuild.</summary>
    public const int DebianContentVersion = 1;

    /// <summary>The Debian release of the image.</summary>
    public const string DebianSuite = "bookworm";

    /// <summary>The tag of the Debian image, in its layout and in the registry.</summary>
    public const string DebianTag = "bookworm-slim";

    private static readonly SemaphoreSlim DebianLock = new(1, 1);

    // Like Debian's slim images: no documentation, manual pages or translations, now or from later package installs.
    private const string SlimDpkgConfig = """
        path-exclude /usr/share/doc/*
        path-include /usr/share/doc/*/copyright
        path-exclude /usr/share/groff/*
        path-exclude /usr/share/info/*
        path-exclude /usr/share/linda/*
        path-exclude /usr/share/lintian/overrides/*
        path-exclude /usr/share/locale/*
        path-exclude /usr/share/man/*

        """;

    // Runs in a private mount namespace (unshare), so the /proc debootstrap mounts disappears with it even when the
    // test process dies half-way. Then the tree is slimmed: nothing a container gets at run time (/dev, /proc, /run
    // content), no apt lists or package caches, no logs, no per-machine identity.
    private const string DebootstrapScript = """
        set -eu
        target=$1 mirror=$2 suite=$3
        debootstrap --variant=minbase "$suite" "$target" "$mirror"
        cd "$target"
        rm -rf dev/* dev/.[!.]* proc/* sys/* run/* tmp/* tmp/.[!.]* var/tmp/*
        rm -rf var/cache/apt/*.bin var/cache/apt/archives/*.deb var/cache/apt/archives/partial/* var/lib/apt/lists/*
        mkdir -p var/lib/apt/lists/partial
        find var/log -type f -delete
        rm -f etc/machine-id var/lib/dbus/machine-id etc/resolv.conf var/cache/ldconfig/aux-cache
        : > etc/hostname
        find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
        find usr/share/doc -mindepth 1 -type d -empty -delete
        rm -rf usr/share/groff/* usr/share/info/* usr/share/linda/* usr/share/locale/* usr/share/man/* usr/share/lintian/overrides/*
        """;

    /// <summary>
    /// The cached <c>debian:bookworm-slim</c> OCI layout (linux, the machine's architecture, one layer,
    /// <c>CMD ["bash"]</c>): <c>debootstrap --variant=minbase</c> from the machine's apt mirror, slimmed. The slow
    /// debootstrap runs once per cache; it needs root, debootstrap and the mirror, else the test is skipped (failed
    /// under <c>KANIKO_REQUIRE_INTEGRATION=1</c>).
    /// </summary>
    public static async Task<OciLayoutImage> DebianLayoutAsync(CancellationToken cancellationToken = default)
    {
        var mirror = AptMirror();
        if (mirror is null)
        {
            TestRequirements.Unavailable("no Debian mirror in the apt sources of this machine");
        }

        var architecture = await DebianArchitectureAsync(cancellationToken).ConfigureAwait(false);
        var key = string.Create(CultureInfo.InvariantCulture,
            $"debian-{DebianTag}-v{DebianContentVersion}-{ShortHash(mirror, architecture, System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription)}");
        await DebianLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var directory = await TestCache.GetOrCreateDirectoryAsync(
                key, staging => WriteDebianLayoutAsync(staging, mirror, architecture, cancellationToken)).ConfigureAwait(false);
            return OciLayoutImage.Read(directory, DebianTag);
        }
        finally
        {
            DebianLock.Release();
        }
    }

    /// <summary>Pushes the cached Debian image to <paramref name="registry"/> as <c>debian:bookworm-slim</c> (and <c>-v2s2</c>).</summary>
    public static async Task<PushedBaseImage> PushDebianAsync(RegistryFixture registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var layout = await DebianLayoutAsync(cancellationToken).ConfigureAwait(false);
        return await PushLayoutAsync(registry.Host, layout, "debian", DebianTag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The URI of the machine's Debian mirror, read from the apt sources (deb822 <c>*.sources</c> files, then
    /// <c>sources.list</c>), skipping security archives; <c>null</c> when there is none.
    /// </summary>
    public static string? AptMirror(string aptDirectory = "/etc/apt")
    {
        var sourcesDirectory = Path.Combine(aptDirectory, "sources.list.d");
        if (Directory.Exists(sourcesDirectory))
        {
            foreach (var file in Directory.GetFiles(sourcesDirectory, "*.sources").Order(StringComparer.Ordinal))
            {
                // deb822: stanzas separated by blank lines, "Field: value" lines.
                foreach (var stanza in Regex.Split(File.ReadAllText(file), @"\n\s*\n"))
                {
                    var fields = stanza.Split('\n')
                        .Where(l => !l.StartsWith('#') && l.Contains(':', StringComparison.Ordinal))
                        .Select(l => (Name: l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), Value: l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
                        .ToLookup(f => f.Name, f => f.Value, StringComparer.OrdinalIgnoreCase);
                    var suites = fields["Suites"].SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    var uri = fields["URIs"].SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).FirstOrDefault(IsHttp);
                    if (uri is not null && fields["Types"].Any(t => t.Split(' ').Contains("deb")) && suites.Any(s => !s.Contains("security", StringComparison.Ordinal)))
                    {
                        return uri;
                    }
                }
            }
        }

        var list = Path.Combine(aptDirectory, "sources.list");
        if (File.Exists(list))
        {
            foreach (var line in File.ReadAllLines(list))
            {
                // deb [options] URI suite components
                var words = Regex.Replace(line, @"\[[^\]]*\]", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words is ["deb", var uri, var suite, ..] && IsHttp(uri) && !suite.Contains("security", StringComparison.Ordinal))
                {
                    return uri;
                }
            }
        }

        return null;

        static bool IsHttp(string uri) => uri.StartsWith("http://", StringComparison.Ordinal) || uri.StartsWith("https://", StringComparison.Ordinal);
    }

    private static async Task WriteDebianLayoutAsync(string layout, string mirror, string architecture, CancellationToken cancellationToken)
    {
        RequireRoot("debootstrap");
        var debootstrap = TestRequirements.Executable("debootstrap");
        var unshare = TestRequirements.Executable("unshare");
        var rootfs = Path.Combine(layout, "rootfs.tmp");
        try
        {
            var run = await ExternalTools.RunAsync(
                unshare, ["--mount", "--fork", "/bin/sh", "-c", DebootstrapScript, "debootstrap-slim", rootfs, mirror, DebianSuite],
                TimeSpan.FromMinutes(20), cancellationToken).ConfigureAwait(false);
            if (run.ExitCode != 0)
            {
                TestRequirements.Unavailable(
                    $"{debootstrap} --variant=minbase {DebianSuite} from the apt mirror failed (exit {run.ExitCode}): {Tail(run.StandardOutput + run.StandardError)}");
            }

            await File.WriteAllTextAsync(Path.Combine(rootfs, "etc/dpkg/dpkg.cfg.d/docker-slim"), SlimDpkgConfig, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(rootfs, "etc/apt/sources.list.d/debian.sources"), string.Create(CultureInfo.InvariantCulture, $"""
                Types: deb
                URIs: {mirror}
                Suites: {DebianSuite} {DebianSuite}-updates
                Components: main
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

                """), cancellationToken).ConfigureAwait(false);
            File.Delete(Path.Combine(rootfs, "etc/apt/sources.list"));

            var entries = await TreeLayer.ListTreeAsync(rootfs, cancellationToken).ConfigureAwait(false);
            var layer = await TreeLayer.WriteAsync(rootfs, entries, Path.Combine(LayeredImageLayout.BlobsDirectory(layout), "layer.partial"), ownedByRoot: false, cancellationToken)
                .ConfigureAwait(false);
            var named = layer with { Path = OciLayoutWriter.BlobPath(layout, layer.Digest) };
            File.Move(layer.Path, named.Path, overwrite: true);
            var step = new ImageStep(named, $"kaniko-tests: debootstrap --variant=minbase {DebianSuite}, slimmed", []);
            await LayeredImageLayout.WriteAsync(layout, DebianTag, parent: null, step, architecture, cmd: ["bash"], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await RemoveTreeAsync(rootfs, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Pushes <paramref name="layout"/> as <c>REPOSITORY:TAG</c> (OCI manifest) and <c>REPOSITORY:TAG-v2s2</c> (Docker v2 schema 2).</summary>
    private static async Task<PushedBaseImage> PushLayoutAsync(
        string registryHost, OciLayoutImage layout, string repository, string tag, CancellationToken cancellationToken)
    {
        var skopeo = TestRequirements.Executable("skopeo");
        var reference = $"{registryHost}/{repository}:{tag}";
        var dockerV2Reference = reference + "-v2s2";
        await SkopeoCopyAsync(skopeo, layout, reference, format: null, cancellationToken).ConfigureAwait(false);
        await SkopeoCopyAsync(skopeo, layout, dockerV2Reference, format: "v2s2", cancellationToken).ConfigureAwait(false);
        return new PushedBaseImage(reference, dockerV2Reference, layout);
    }

    private static async Task<string> DebianArchitectureAsync(CancellationToken cancellationToken)
    {
        var dpkg = TestRequirements.Executable("dpkg");
        var result = await ExternalTools.RunCheckedAsync(dpkg, ["--print-architecture"], cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.StandardOutput.Trim();
    }

    private static void RequireRoot(string what)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            TestRequirements.Unavailable($"building the Debian-based test images needs root ({what})");
        }
    }

    // rm -rf rather than Directory.Delete: the tree holds root-owned read-only directories and dangling links.
    private static async Task RemoveTreeAsync(string path, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            await ExternalTools.RunCheckedAsync("/bin/rm", ["-rf", "--one-file-system", path], TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string ShortHash(params string[] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(part + "\n"));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static string Tail(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(" | ", lines.TakeLast(8));
    }
}
