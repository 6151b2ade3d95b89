using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine.Tests.Registry.Auth;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A keychain with a fixed answer, to test the handler without files.</summary>
internal sealed class FixedKeychain(RegistryCredential credential, string description = "test keychain") : IKeychain
{
    public int Calls;

    public string Description => description;

    public ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        return ValueTask.FromResult(credential);
    }
}
