using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine;

/// <summary>
/// The images a build starts from and the digests their tags name right now: one <c>HEAD</c> per image, so the
/// up-to-date check sees a base tag that moved (a patched <c>aspnet:10.0</c>) and the generated
/// <c>org.opencontainers.image.base.digest</c> label names what the image was built on.
/// </summary>
/// <param name="Images">Each image a stage starts <c>FROM</c> (not stages, not <c>scratch</c>), as written after argument expansion, with the digest it resolves to (null when the registry could not say).</param>
/// <param name="TargetBase">The image the target stage ultimately starts from, or null for <c>scratch</c>.</param>
public sealed record BaseImageDigests(IReadOnlyList<KeyValuePair<string, Digest?>> Images, string? TargetBase)
{
    /// <summary>The digest <see cref="TargetBase"/> resolved to.</summary>
    public Digest? TargetBaseDigest => Images.FirstOrDefault(i => i.Key == TargetBase).Value;

    /// <summary>Plans <paramref name="request"/> (nothing is fetched) and asks the registries for each base image's digest.</summary>
    /// <param name="request">The build whose base images are resolved, with its registry settings and credentials.</param>
    /// <param name="log">Receives a line for each base image the registry could not resolve.</param>
    /// <param name="cancellationToken">Stops the lookups.</param>
    public static async Task<BaseImageDigests> ResolveAsync(BuildRequest request, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(log);
        using var client = RequestMapping.CreateClient(request);
        var plan = KanikoPlanner.Plan(request);
        var images = plan.Stages.Where(s => s.BaseStage is null && !s.IsScratch).Select(s => s.From.BaseName).Distinct(StringComparer.Ordinal).ToList();
        var resolved = new List<KeyValuePair<string, Digest?>>();
        foreach (var image in images)
        {
            resolved.Add(KeyValuePair.Create(image, await DigestAsync(client, image, log, cancellationToken).ConfigureAwait(false)));
        }

        var stage = plan.Target;
        while (stage.BaseStage is { } baseIndex && plan.Stages.FirstOrDefault(s => s.Index == baseIndex) is { } parent)
        {
            stage = parent;
        }

        return new BaseImageDigests(resolved, stage.BaseStage is null && !stage.IsScratch ? stage.From.BaseName : null);
    }

    private static async Task<Digest?> DigestAsync(IManifestClient client, string image, Action<string> log, CancellationToken cancellationToken)
    {
        try
        {
            var reference = ImageReference.Parse(image);
            if (reference.Digest is { } pinned)
            {
                return pinned;
            }

            return (await client.HeadManifestAsync(reference, RegistryAccess.Pull, cancellationToken).ConfigureAwait(false))?.Digest;
        }
        catch (KanikoException e)
        {
            log($"cannot resolve the base image {image} ({e.Message}): it is rebuilt");
            return null;
        }
    }
}
