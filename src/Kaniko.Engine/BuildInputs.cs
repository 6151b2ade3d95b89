using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine;

/// <summary>
/// The fingerprint of everything a build reads: the request, the Dockerfile's bytes, every context file the ignore
/// file keeps (path, kind, size, content), the digests the base images' tags name now, and the engine build itself. Equal fingerprints give the same image up
/// to its timestamps, so a host (the MSBuild target) may skip the build when the registry already holds the last one
/// (<see cref="PublishedDigestAsync"/>).
/// </summary>
public static class BuildInputs
{
    /// <summary>The full path of the Dockerfile <paramref name="request"/> builds, found as the build finds it.</summary>
    /// <exception cref="Diagnostics.KanikoException">The Dockerfile is missing (<c>KANIKO2xxx</c>).</exception>
    public static string DockerfilePath(BuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return DockerfileLocator.Resolve(request.Dockerfile, request.Context).FullPath;
    }

    /// <summary>
    /// The digest the tag <paramref name="destination"/> names in its registry now (a <c>HEAD</c> of the manifest,
    /// with the request's registry settings and push credentials), or <c>null</c> when the registry has no such tag.
    /// </summary>
    /// <exception cref="Diagnostics.KanikoException">The registry cannot be reached or refuses the request.</exception>
    public static async Task<Digest?> PublishedDigestAsync(BuildRequest request, string destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var client = RequestMapping.CreateClient(request);
        var head = await client.HeadManifestAsync(ImageReference.Parse(destination), RegistryAccess.Push, cancellationToken).ConfigureAwait(false);
        return head?.Digest;
    }

    /// <summary>
    /// The hex SHA-256 fingerprint; <paramref name="excludedDirectory"/> (the host's state folder) is left out of the
    /// walk, and <paramref name="host"/> (the host's own build, for example its assembly's version id) is hashed too,
    /// as are the base images' digests when <paramref name="bases"/> gives them.
    /// </summary>
    public static string Fingerprint(BuildRequest request, string dockerfilePath, string? excludedDirectory, string host, BaseImageDigests? bases = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, "engine " + typeof(KanikoBuilder).Assembly.ManifestModule.ModuleVersionId.ToString("N"));
        Add(hash, "task " + host);
        AddRequest(hash, request);

        // The digest each base tag names now: a moved tag (a patched base image) is a different input. A base the
        // registry could not resolve makes the fingerprint unique, so the image is rebuilt rather than called up to date.
        foreach (var (image, digest) in bases?.Images ?? [])
        {
            Add(hash, $"base {image} {digest?.ToString() ?? "unresolved " + Guid.NewGuid().ToString("N")}");
        }
        Add(hash, "dockerfile " + dockerfilePath);
        hash.AppendData(File.ReadAllBytes(dockerfilePath));

        var root = Path.GetFullPath(request.Context);
        var excluded = excludedDirectory is null ? null : Path.GetFullPath(excludedDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        // Only a state folder inside the context is left out. A context inside the state folder (the MSBuild targets'
        // per-RID publishes under obj/.../kaniko/rids/, beside state.txt) is the build's input and is walked whole:
        // leaving it out would call a changed app up to date.
        if (excluded is not null && !excluded.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            excluded = null;
        }

        using var context = BuildContextFactory.Open(root, dockerfilePath);
        var files = new DirectoryInfo(root)
            .EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false })
            .Where(f => excluded is null || !(f.FullName + (f is DirectoryInfo ? Path.DirectorySeparatorChar : string.Empty)).StartsWith(excluded, StringComparison.Ordinal))
            .Select(f => (Info: f, Relative: Path.GetRelativePath(root, f.FullName).Replace(Path.DirectorySeparatorChar, '/')))
            .Where(f => !context.Ignore.IsExcluded(f.Relative))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
        foreach (var (info, relative) in files)
        {
            if (info.LinkTarget is { } target)
            {
                Add(hash, $"link {relative} {target}");
            }
            else if (info is FileInfo file)
            {
                Add(hash, string.Create(CultureInfo.InvariantCulture, $"file {relative} {file.Length} {(int)file.UnixFileMode}"));
                using var stream = file.OpenRead();
                hash.AppendData(SHA256.HashData(stream));
            }
            else
            {
                Add(hash, string.Create(CultureInfo.InvariantCulture, $"dir {relative} {(int)info.UnixFileMode}"));
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AddRequest(IncrementalHash hash, BuildRequest request)
    {
        Add(hash, "context " + Path.GetFullPath(request.Context));
        Add(hash, "target " + request.Target);
        Add(hash, "platform " + request.Platform + " " + string.Join(",", request.Platforms));
        Add(hash, "destinations " + string.Join(",", request.Destinations) + " nopush " + request.NoPush);
        Add(hash, "tar " + request.TarPath + " oci " + request.OciLayoutPath + " format " + request.ImageFormat);
        Add(hash, "reproducible " + request.Reproducible + " " + request.SourceDateEpoch?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        Add(hash, "layers " + request.Layers);
        Add(hash, "attestations sbom " + request.Attestations.Sbom + " " + request.Attestations.SbomFormat + " provenance " + request.Attestations.Provenance);

        // request.Cache (KanikoCache*) is left out on purpose: a cache hit gives the very layer the step would make,
        // so the cache settings change how fast an image is built, never the image, and turning the cache on or off
        // must not force a rebuild of an image the registry already holds.
        foreach (var (list, pairs) in new[] { ("arg", request.BuildArgs), ("label", request.Labels), ("annotation", request.Annotations) })
        {
            foreach (var (key, value) in pairs)
            {
                Add(hash, $"{list} {key}={value}");
            }
        }
    }

    // Each entry ends with a NUL, which no path or value holds, so two different entry lists never hash alike.
    private static void Add(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\0"));
}
