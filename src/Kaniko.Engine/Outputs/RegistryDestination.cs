using System.Globalization;
using Kaniko.Engine.Images;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine.Outputs;

/// <summary>
/// Pushes the output to registry references (<c>--destination</c>) with <see cref="ImagePusher"/>: blobs first (HEAD,
/// then a mount, then an upload), then the manifest or index under each tag, so nothing names content the registry
/// lacks.
/// </summary>
internal sealed class RegistryDestination : IImageDestination
{
    private readonly ImagePusher _pusher;
    private readonly IReadOnlyList<ImageReference> _references;

    /// <summary>A destination pushing with <paramref name="pusher"/> to every one of <paramref name="references"/>.</summary>
    public RegistryDestination(ImagePusher pusher, IReadOnlyList<ImageReference> references)
    {
        _pusher = pusher ?? throw new ArgumentNullException(nameof(pusher));
        _references = references ?? throw new ArgumentNullException(nameof(references));
    }

    /// <inheritdoc />
    public string Description => string.Format(CultureInfo.InvariantCulture, "registry {0}", string.Join(", ", _references));

    /// <inheritdoc />
    public Task WriteAsync(IImage image, CancellationToken cancellationToken) => _pusher.PushAsync(image, _references, cancellationToken);

    /// <inheritdoc />
    public async Task<WrittenOutput> WriteAsync(BuildOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var result = output.Index is { } index
            ? await _pusher.PushAsync(index, _references, cancellationToken).ConfigureAwait(false)
            : await _pusher.PushAsync(output.Images[0], _references, cancellationToken).ConfigureAwait(false);
        return new WrittenOutput(result.References, result.Blobs, null);
    }
}
