using Kaniko.Engine.Images;

namespace Kaniko.Engine.Outputs;

/// <summary>
/// Somewhere a finished image is written: an OCI layout, a tarball, a registry. The builder writes a build's
/// <see cref="BuildOutput"/> to a list of them without knowing their kinds.
/// </summary>
internal interface IImageDestination
{
    /// <summary>What and where, for messages, for example <c>OCI layout out/image (tag latest)</c>.</summary>
    string Description { get; }

    /// <summary>Writes <paramref name="image"/>: its layers, config and manifest, and whatever names it there.</summary>
    /// <param name="image">The image to write.</param>
    /// <param name="cancellationToken">Stops the writing; nothing half-written is left under a final name.</param>
    Task WriteAsync(IImage image, CancellationToken cancellationToken);

    /// <summary>Writes a build's output, its one image or its index, and says what was written.</summary>
    /// <param name="output">The build's output.</param>
    /// <param name="cancellationToken">Stops the writing; nothing half-written is left under a final name.</param>
    Task<WrittenOutput> WriteAsync(BuildOutput output, CancellationToken cancellationToken);
}
