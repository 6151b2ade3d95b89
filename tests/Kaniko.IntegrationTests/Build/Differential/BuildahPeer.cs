using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build.Differential;

/// <summary>
/// <c>buildah bud</c> as the peer builder: one private storage (vfs) and one registries.conf for the whole test run,
/// chroot isolation, Docker image format (the OCI format drops <c>Healthcheck</c> and <c>OnBuild</c>), and a push to
/// the test registry over plain HTTP.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BuildahPeer : IDisposable
{
    private readonly TempDirectory _root = new("kaniko-buildah-");
    private readonly SemaphoreSlim _baseLock = new(1, 1);
    private readonly Dictionary<string, PushedBaseImage> _bases = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _viewLock = new(1, 1);
    private readonly Dictionary<string, (DateOnly Day, SortedDictionary<string, string> View)> _views = new(StringComparer.Ordinal);

    /// <summary>Writes the registries.conf that marks the loopback registry insecure and allows no short names.</summary>
    public BuildahPeer()
    {
        File.WriteAllText(RegistriesConf, """
            unqualified-search-registries = []
            short-name-mode = "disabled"
            [[registry]]
            location = "127.0.0.1"
            insecure = true
            """);
    }

    private string RegistriesConf => _root.Combine("registries.conf");

    private string[] Storage => ["--root", _root.Combine("root"), "--runroot", _root.Combine("run"), "--storage-driver", "vfs", "--registries-conf", RegistriesConf];

    /// <summary>The busybox base, pushed once per run.</summary>
    public Task<PushedBaseImage> BusyboxAsync(RegistryFixture registry, CancellationToken cancellationToken) =>
        BaseAsync(registry, DifferentialCase.DefaultBase, cancellationToken);

    /// <summary>The base image named <paramref name="name"/> in a case's <c>base.txt</c> (<c>busybox</c>, <c>debian</c>), pushed once per run.</summary>
    public async Task<PushedBaseImage> BaseAsync(RegistryFixture registry, string name, CancellationToken cancellationToken)
    {
        await _baseLock.WaitAsync(cancellationToken);
        try
        {
            if (!_bases.TryGetValue(name, out var pushed))
            {
                pushed = name switch
                {
                    "busybox" => await BaseImages.PushBusyboxAsync(registry, cancellationToken),
                    "debian" => await BaseImages.PushDebianAsync(registry, cancellationToken),
                    _ => throw new InvalidDataException("unknown base image in base.txt: " + name),
                };
                _bases.Add(name, pushed);
            }

            return pushed;
        }
        finally
        {
            _baseLock.Release();
        }
    }

    /// <summary>Builds <paramref name="dockerfile"/> over <paramref name="context"/> and pushes it as <paramref name="reference"/>.</summary>
    public async Task BuildAndPushAsync(string dockerfile, string context, string reference, IEnumerable<string> extraArguments, CancellationToken cancellationToken)
    {
        var buildah = TestRequirements.Executable("buildah");
        await ExternalTools.RunCheckedAsync(buildah, [.. Storage, "bud", "--quiet", "--isolation", "chroot", "--format", "docker", "--tls-verify=false",
            .. extraArguments, "-f", dockerfile, "-t", reference, context], TimeSpan.FromMinutes(5), cancellationToken);
        await ExternalTools.RunCheckedAsync(buildah, [.. Storage, "push", "--quiet", "--tls-verify=false", reference, "docker://" + reference],
            TimeSpan.FromMinutes(2), cancellationToken);
    }

    /// <summary>
    /// What buildah builds for the case <paramref name="name"/>, made by <paramref name="buildAndRead"/> the first time
    /// and kept for the run: the case is the same on every rung of ours, so buildah builds it once, not once per rung.
    /// A failed build is not kept, nor a view made on an earlier day.
    /// </summary>
    public async Task<SortedDictionary<string, string>> ViewAsync(string name, Func<Task<SortedDictionary<string, string>>> buildAndRead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buildAndRead);
        await _viewLock.WaitAsync(cancellationToken);
        try
        {
            // A step that writes today's date (useradd's last password change in /etc/shadow) makes a different image
            // after midnight: a view made on another day is made again, as ours will be built today.
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            if (!_views.TryGetValue(name, out var kept) || kept.Day != today)
            {
                kept = (today, await buildAndRead());
                _views[name] = kept;
            }

            return kept.View;
        }
        finally
        {
            _viewLock.Release();
        }
    }

    /// <summary>Removes the peer's images and its storage.</summary>
    public void Dispose()
    {
        var buildah = ExternalTools.Find("buildah");
        if (buildah is not null && Directory.Exists(_root.Combine("root")))
        {
            ExternalTools.RunAsync(buildah, [.. Storage, "rmi", "--all", "--force"]).GetAwaiter().GetResult();
        }

        _baseLock.Dispose();
        _viewLock.Dispose();
        _root.Dispose();
    }
}
