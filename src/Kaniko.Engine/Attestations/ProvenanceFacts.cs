using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Attestations;

/// <summary>What a provenance attestation records about one build (<see cref="SlsaProvenance"/> writes it).</summary>
internal sealed record ProvenanceFacts
{
    /// <summary>How much to record: <c>true</c> for kaniko's <c>mode=max</c> (the stages too), <c>false</c> for <c>min</c>.</summary>
    public required bool Max { get; init; }

    /// <summary>The builder's id (a URI).</summary>
    public required string BuilderId { get; init; }

    /// <summary>This tool's version.</summary>
    public required string BuilderVersion { get; init; }

    /// <summary>The context as given, credentials removed (a directory, <c>tar://…</c>, a git URL).</summary>
    public required string Context { get; init; }

    /// <summary>The git repository the context is a checkout of (its <c>origin</c>, credentials removed), or null.</summary>
    public string? GitUrl { get; init; }

    /// <summary>The commit the context's checkout is at, or null.</summary>
    public string? GitCommit { get; init; }

    /// <summary>The SHA-256 of a <c>tar://</c> context's archive, or null.</summary>
    public Digest? ArchiveDigest { get; init; }

    /// <summary>The digest of the context's files after <c>.dockerignore</c> (max only), or null.</summary>
    public Digest? ContextDigest { get; init; }

    /// <summary>The Dockerfile's path as given (relative to the context when inside it).</summary>
    public required string DockerfilePath { get; init; }

    /// <summary>The SHA-256 of the Dockerfile's bytes.</summary>
    public required Digest DockerfileDigest { get; init; }

    /// <summary>The build arguments (values of the proxy arguments left out: they may carry credentials).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> BuildArgs { get; init; } = [];

    /// <summary>The target stage, or null for the last.</summary>
    public string? Target { get; init; }

    /// <summary>The platform built for.</summary>
    public required Platform Platform { get; init; }

    /// <summary>The platform the build ran on.</summary>
    public required Platform BuildPlatform { get; init; }

    /// <summary>Every image the build read (bases, <c>COPY --from</c> images), resolved to manifest digests.</summary>
    public IReadOnlyList<ResolvedImage> Materials { get; init; } = [];

    /// <summary>Each built stage's name and expanded steps (max only).</summary>
    public IReadOnlyList<(string Stage, IReadOnlyList<string> Steps)> Stages { get; init; } = [];

    /// <summary>The build's start.</summary>
    public required DateTimeOffset StartedOn { get; init; }

    /// <summary>The build's end.</summary>
    public required DateTimeOffset FinishedOn { get; init; }

    /// <summary>Whether the build fixed every time (<c>--reproducible</c>, <c>SOURCE_DATE_EPOCH</c>).</summary>
    public bool Reproducible { get; init; }

    /// <summary>A unique id of this build, or null for a reproducible one (which must not vary).</summary>
    public string? InvocationId { get; init; }
}
