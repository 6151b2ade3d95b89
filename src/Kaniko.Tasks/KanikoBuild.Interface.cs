using Microsoft.Build.Framework;

namespace Kaniko.Tasks;

/// <content>The task's parameters, as the SDK targets pass them (<c>docs/sdk.md</c> lists the properties behind each).</content>
public sealed partial class KanikoBuild
{
    /// <summary>The build context folder: the publish output, or the project folder (<c>KanikoContext</c>).</summary>
    [Required]
    public string ContextDirectory { get; set; } = string.Empty;

    /// <summary>The Dockerfile (<c>KanikoDockerfile</c>, or the generated one); empty for <c>Dockerfile</c> in the context.</summary>
    public string? Dockerfile { get; set; }

    /// <summary>The references to push to, <c>REGISTRY/REPOSITORY:TAG</c>.</summary>
    public ITaskItem[] Destinations { get; set; } = [];

    /// <summary>Builds without pushing (<c>KanikoBuild</c> without <c>KanikoPush</c>).</summary>
    public bool NoPush { get; set; }

    /// <summary><c>KanikoBuildArg</c> items: the name, and <c>Value</c> metadata (absent: the environment's value).</summary>
    public ITaskItem[] BuildArgs { get; set; } = [];

    /// <summary>Labels of the image: the key, and <c>Value</c> metadata (<c>ContainerLabel</c> then <c>KanikoLabel</c>).</summary>
    public ITaskItem[] Labels { get; set; } = [];

    /// <summary>The stage to build (<c>KanikoTarget</c>).</summary>
    public string? Target { get; set; }

    /// <summary>The platform(s), <c>os/arch[/variant]</c>, <c>;</c> or <c>,</c> separated (<c>KanikoPlatform</c>).</summary>
    public string? Platforms { get; set; }

    /// <summary>The project's runtime identifier, the platform's default when <see cref="Platforms"/> is empty.</summary>
    public string? RuntimeIdentifier { get; set; }

    /// <summary>Writes a <c>docker load</c> tarball here (<c>KanikoTarPath</c>).</summary>
    public string? TarPath { get; set; }

    /// <summary>Writes an OCI image layout here (<c>KanikoOciLayoutPath</c>).</summary>
    public string? OciLayoutPath { get; set; }

    /// <summary>Reaches the destination registry over plain HTTP, for the push and pulls from it (<c>KanikoInsecure</c>).</summary>
    public bool Insecure { get; set; }

    /// <summary>Registries reached over plain HTTP, <c>;</c> or <c>,</c> separated (<c>KanikoInsecureRegistries</c> and <c>DOTNET_CONTAINER_INSECURE_REGISTRIES</c>).</summary>
    public string? InsecureRegistries { get; set; }

    /// <summary>Does not verify the destination registry's certificate (<c>KanikoSkipTlsVerify</c>).</summary>
    public bool SkipTlsVerify { get; set; }

    /// <summary>Fixes every time in the image so equal inputs give equal digests (<c>KanikoReproducible</c>).</summary>
    public bool Reproducible { get; set; }

    /// <summary>The base-image blob store (<c>KanikoCacheDir</c>); empty for the user's cache folder.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Uses the layer cache: unchanged steps reuse their cached layers (<c>KanikoCache</c>, the CLI's <c>--cache</c>).</summary>
    public bool Cache { get; set; }

    /// <summary>The cache repository (<c>KanikoCacheRepo</c>); empty for the first destination's repository + <c>/cache</c>.</summary>
    public string? CacheRepository { get; set; }

    /// <summary>How long a cached layer is used, a Go duration such as <c>336h</c> (<c>KanikoCacheTtl</c>); empty for the engine's default.</summary>
    public string? CacheTtl { get; set; }

    /// <summary>Also caches <c>COPY</c> and <c>ADD</c> layers (<c>KanikoCacheCopyLayers</c>).</summary>
    public bool CacheCopyLayers { get; set; }

    /// <summary>Caches <c>RUN</c> layers (<c>KanikoCacheRunLayers</c>, true unless set).</summary>
    public bool CacheRunLayers { get; set; } = true;

    /// <summary>
    /// Loads the image into the local docker or podman instead of pushing it (no registry named and no archive asked
    /// for, as <c>/t:PublishContainer</c> does); the image is named by <see cref="LocalImageNames"/>.
    /// </summary>
    public bool LoadLocally { get; set; }

    /// <summary><c>LocalRegistry</c>: <c>Docker</c> or <c>Podman</c>; empty to use whichever answers, as the .NET SDK does.</summary>
    public string? LocalRegistry { get; set; }

    /// <summary>The names (<c>REPOSITORY:TAG</c>) the image gets in the local engine.</summary>
    public ITaskItem[] LocalImageNames { get; set; } = [];

    /// <summary>The archive written for the local engine's <c>load</c> (in <c>obj/</c>), removed once loaded.</summary>
    public string? LocalArchivePath { get; set; }

    /// <summary>Label keys that get the build time (<c>org.opencontainers.image.created</c>), kept out of the up-to-date fingerprint.</summary>
    public ITaskItem[] CreatedLabels { get; set; } = [];

    /// <summary>Adds <c>org.opencontainers.image.base.name</c>: the image the target stage starts from.</summary>
    public bool GenerateBaseNameLabel { get; set; }

    /// <summary>Adds <c>org.opencontainers.image.base.digest</c>: the digest that image's tag resolved to.</summary>
    public bool GenerateBaseDigestLabel { get; set; }

    /// <summary>The <c>SOURCE_DATE_EPOCH</c> property (seconds since 1970); empty to read the environment variable.</summary>
    public string? SourceDateEpoch { get; set; }

    /// <summary><c>ContainerImageFormat</c>: <c>OCI</c> or <c>Docker</c> media types; empty keeps the base image's.</summary>
    public string? ImageFormat { get; set; }
    /// <summary>Attaches an SPDX SBOM (<c>KanikoSbom</c>: <c>true</c>/<c>false</c>, as <c>--sbom</c>); none when empty.</summary>
    public string? Sbom { get; set; }

    /// <summary>
    /// Attaches SLSA provenance (<c>KanikoProvenance</c>: <c>min</c>, <c>max</c>, <c>false</c>, as <c>--provenance</c>);
    /// when empty, buildx's default: <c>min</c> when the image is pushed or written to an OCI layout.
    /// </summary>
    public string? Provenance { get; set; }

    /// <summary>The project's <c>project.assets.json</c> (NuGet's <c>ProjectAssetsFile</c>): marks direct references in the SBOM.</summary>
    public string? ProjectAssetsFile { get; set; }

    /// <summary>The incremental state file in <c>obj/</c>; empty to build every time.</summary>
    public string? StateFile { get; set; }

    /// <summary>The image's digest (the index's when several platforms were built).</summary>
    [Output]
    public string ImageDigest { get; private set; } = string.Empty;

    /// <summary>One item per destination, the full reference, with <c>Digest</c> and <c>NameWithDigest</c> metadata.</summary>
    [Output]
    public ITaskItem[] Images { get; private set; } = [];
}
