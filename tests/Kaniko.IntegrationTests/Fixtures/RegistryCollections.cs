using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Fixtures;

/// <summary>
/// Tests against the TLS + htpasswd registry. A collection fixture, not an assembly one: the registry (and its
/// certificate) is made only when a test of the collection runs, once for all of them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TlsBasicAuthRegistryCollection : ICollectionFixture<TlsBasicAuthRegistryFixture>
{
    /// <summary>The collection name for <c>[Collection]</c>.</summary>
    public const string Name = "TLS + Basic auth registry";
}

/// <summary>Tests against the token-auth registry and its token server, started once for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class TokenAuthRegistryCollection : ICollectionFixture<TokenAuthRegistryFixture>
{
    /// <summary>The collection name for <c>[Collection]</c>.</summary>
    public const string Name = "Token auth registry";
}
