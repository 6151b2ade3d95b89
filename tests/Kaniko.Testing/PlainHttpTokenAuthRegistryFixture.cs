namespace Kaniko.Testing;

/// <summary>
/// The <see cref="TokenAuthRegistryFixture"/> setup over plain HTTP: registry and token server on
/// <c>http://127.0.0.1</c>, no certificate. For tests of what a client may send without TLS (credentials only to a
/// registry marked insecure); <see cref="TokenAuthRegistryFixture.Certificate"/> throws here.
/// </summary>
public class PlainHttpTokenAuthRegistryFixture : TokenAuthRegistryFixture
{
    /// <inheritdoc />
    protected override bool UseTls => false;
}
