namespace Kaniko.Testing;

/// <summary>
/// How a test registry is configured. The plain variant (HTTP on loopback, no auth) is the default; variants with
/// TLS, htpasswd or token auth add their settings here and their sections in <see cref="RegistryConfiguration"/>,
/// while <see cref="RegistryServer"/> and <see cref="RegistryFixture"/> keep the same lifecycle.
/// </summary>
public sealed record RegistryOptions
{
    /// <summary>The binary Debian's <c>docker-registry</c> package installs.</summary>
    public const string DefaultBinaryPath = "/usr/bin/docker-registry";

    /// <summary>Plain HTTP registry with deletes enabled.</summary>
    public static RegistryOptions Default { get; } = new();

    /// <summary>The registry binary; <c>KANIKO_TEST_REGISTRY_BIN</c> overrides the default.</summary>
    public string BinaryPath { get; init; } =
        Environment.GetEnvironmentVariable("KANIKO_TEST_REGISTRY_BIN") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : DefaultBinaryPath;

    /// <summary>How long to wait for <c>GET /v2/</c> to answer 200 before giving up.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether manifests and blobs may be deleted (<c>storage.delete.enabled</c>).</summary>
    public bool DeleteEnabled { get; init; } = true;
}
