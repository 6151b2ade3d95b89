namespace Kaniko.Engine.Registry.Auth;

/// <summary>Settings of the authentication handshake.</summary>
internal sealed class RegistryAuthOptions
{
    /// <summary>
    /// Registries (<c>host[:port]</c>) the user marked insecure. Only these may receive credentials, or tokens
    /// obtained with credentials, over plain http; every other registry gets them over https only.
    /// </summary>
    public IReadOnlySet<string> InsecureRegistries { get; init; } = new HashSet<string>();

    /// <summary>The <c>client_id</c> sent in OAuth2 refresh-token requests.</summary>
    public string ClientId { get; init; } = "kaniko-dotnet";

    /// <summary>
    /// Request bodies of at most this many bytes (with a known length) are buffered so the request can be replayed
    /// after a 401. Larger or unknown-length bodies are never buffered: the handler learns the challenge first (see
    /// <see cref="AuthenticatingHandler"/>).
    /// </summary>
    public long MaxReplayBufferSize { get; init; } = 1024 * 1024;

    /// <summary>The clock for token lifetimes.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>True when <paramref name="registryHost"/> may receive credentials over plain http.</summary>
    public bool IsInsecure(string registryHost) =>
        InsecureRegistries.Any(h => RegistryHostNames.SameRegistry(h, registryHost));
}
