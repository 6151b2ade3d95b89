using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine;

/// <summary>
/// Turns a request's cache flags into the build's <see cref="LayerCache"/>: local entries under the cache folder
/// (<c>--cache-dir</c>), and a registry repository: <c>--cache-repo</c>, else the first destination's repository
/// followed by <c>/cache</c> (kaniko's default). With neither, the cache is local only (kaniko refuses such a build;
/// a local cache is still worth having, and a build without destinations is usually a local one).
/// </summary>
internal static class LayerCacheSetup
{
    /// <summary>The cache repository of <paramref name="request"/>, or <c>null</c> when the cache is off or local only.</summary>
    public static RepositoryName? Repository(BuildRequest request, IReadOnlyList<ImageReference> destinations)
    {
        if (!request.Cache.Enabled)
        {
            return null;
        }

        if (request.Cache.Repository is { Length: > 0 } repository)
        {
            // kaniko takes REGISTRY/REPOSITORY; a tag is tolerated (the keys are the tags), a digest is not.
            if (!ImageReference.TryParse(repository, out var parsed, out var reason) || parsed.Digest is not null)
            {
                throw new KanikoException(DiagnosticCodes.InvalidCacheRepository, string.Format(
                    CultureInfo.InvariantCulture, Strings.InvalidCacheRepository, repository, reason ?? "a digest names one image, not a repository"));
            }

            return RepositoryName.From(parsed);
        }

        return destinations.Count > 0
            ? RepositoryName.From(ImageReference.Parse(destinations[0].Context + "/cache"))
            : null;
    }

    /// <summary>
    /// A client for the cache repository: no retries for lookups (an unreachable cache must not hold every step for
    /// the backoff), and the destinations' plain-HTTP and TLS settings, as kaniko gives the cache push its own.
    /// </summary>
    public static RegistryClient? Client(BuildRequest request, IReadOnlyList<ImageReference> destinations, IKeychain? keychain)
    {
        if (Repository(request, destinations) is not { } repository)
        {
            return null;
        }

        // kaniko reaches the cache repository with the push flags (--insecure, --skip-tls-verify) and the lists of
        // registries (--insecure-registry, --skip-tls-verify-registry), for lookups as for writes: the pull flags
        // do not cover it, so lookups and writes never disagree about how to reach it.
        var registry = request.Registry.ToOptions();
        var options = registry with
        {
            PullRetries = 0,
            InsecurePull = registry.InsecurePush,
            SkipTlsVerifyPull = registry.SkipTlsVerifyPush,
        };
        return new RegistryClient(options, keychain);
    }

    /// <summary>The build's layer cache, or <c>null</c> when <c>--cache</c> is off.</summary>
    public static LayerCache? Create(BuildRequest request, IReadOnlyList<ImageReference> destinations, BlobStore store, RegistryClient? client, IBuildEventSink events)
    {
        if (!request.Cache.Enabled)
        {
            return null;
        }

        var local = new LocalLayerCache(store, request.Cache.Ttl);
        var remote = client is not null && Repository(request, destinations) is { } repository
            ? new RegistryLayerCache(client, repository, store, request.Cache.Ttl)
            : null;
        if (remote is not null && client is not null)
        {
            WarnWhenOnlyPullFlagsCover(request.Registry.ToOptions(), client.Options, remote.Repository.Registry, events);
        }

        var cache = new LayerCache(request.Cache.ToOptions(), local, remote, events);
        events.Report(new MessageEvent("layer cache: " + cache.Description
            + (remote is null ? " (local only: no --cache-repo and no destination)" : ""), MessageImportance.Normal));
        return cache;
    }

    // --insecure-pull or --skip-tls-verify-pull alone cover the base images but not the cache repository (kaniko's
    // rule): say which flag does before every lookup fails.
    private static void WarnWhenOnlyPullFlagsCover(RegistryOptions build, RegistryOptions cache, string cacheRegistry, IBuildEventSink events)
    {
        var pullOnly = (build.IsInsecure(cacheRegistry, RegistryAccess.Pull) && !cache.IsInsecure(cacheRegistry, RegistryAccess.Pull))
            || (build.SkipsTlsVerify(cacheRegistry, RegistryAccess.Pull) && !cache.SkipsTlsVerify(cacheRegistry, RegistryAccess.Pull));
        if (pullOnly)
        {
            events.Report(new WarningEvent(new BuildWarning(DiagnosticCodes.CacheRepositoryNeedsPushFlags,
                string.Format(CultureInfo.InvariantCulture, Strings.CacheRepositoryNeedsPushFlags, cacheRegistry))));
        }
    }

    /// <summary><paramref name="warnings"/> and the cache's, once its writes are done.</summary>
    public static async Task<IReadOnlyList<BuildWarning>> WithCacheWarningsAsync(IReadOnlyList<BuildWarning> warnings, LayerCache? cache)
    {
        if (cache is null)
        {
            return warnings;
        }

        var cacheWarnings = await cache.FlushAsync().ConfigureAwait(false);
        return [.. warnings.Concat(cacheWarnings).Distinct()];
    }
}
