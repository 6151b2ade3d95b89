using Xunit;

namespace Kaniko.Testing;

/// <summary>
/// A real registry for integration tests, usable as an xunit assembly or collection fixture. It starts Debian's
/// distribution registry on 127.0.0.1 when first initialised and stops it when disposed. Where the binary is not
/// installed, the fixture initialises without a registry and every test that touches <see cref="Host"/> (or the other
/// members) is skipped with <see cref="MissingBinaryMessage"/>.
/// </summary>
/// <remarks>
/// Not sealed: the TLS/htpasswd and token-auth variants (<see cref="TlsBasicAuthRegistryFixture"/>,
/// <see cref="TokenAuthRegistryFixture"/>) derive from it, because xunit creates fixtures through a parameterless
/// constructor. They prepare their files in <see cref="PrepareAsync"/> and release them in <see cref="DisposeCoreAsync"/>.
/// </remarks>
public class RegistryFixture : IAsyncLifetime
{
    /// <summary>Why tests are skipped when the registry binary is missing.</summary>
    public const string MissingBinaryMessage = "docker-registry not installed (scripts/install-test-deps.sh)";

    private RegistryServer? _server;
    private string? _unavailableReason = MissingBinaryMessage;

    /// <summary>A plain HTTP registry (<see cref="RegistryServerOptions.Default"/>).</summary>
    public RegistryFixture()
        : this(RegistryServerOptions.Default)
    {
    }

    /// <summary>A registry configured by <paramref name="options"/>.</summary>
    protected RegistryFixture(RegistryServerOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The configuration of this registry (as completed by <see cref="PrepareAsync"/> once initialised).</summary>
    public RegistryServerOptions Options { get; private set; }

    /// <summary>The registry host as image references spell it: <c>127.0.0.1:PORT</c>.</summary>
    public string Host => Server.Host;

    /// <summary>The registry's base address, <c>http://127.0.0.1:PORT/</c> (<c>https</c> with TLS).</summary>
    public Uri BaseAddress => Server.BaseAddress;

    /// <summary>The id of the registry process this fixture started.</summary>
    public int ProcessId => Server.ProcessId;

    /// <summary>The temporary directory holding the registry's configuration, storage and log.</summary>
    public string WorkingDirectory => Server.WorkingDirectory;

    /// <summary>The last lines of the registry's log, to add to assertion messages.</summary>
    public string ReadLogTail(int lines = 20) => Server.ReadLogTail(lines);

    private RegistryServer Server
    {
        get
        {
            if (_server is null)
            {
                TestRequirements.Unavailable(_unavailableReason ?? MissingBinaryMessage);
            }

            return _server;
        }
    }

    /// <summary>Starts the registry, unless its binary (or a prerequisite of a derived fixture) is missing.</summary>
    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Options.BinaryPath))
        {
            return;
        }

        _unavailableReason = FindMissingPrerequisite();
        if (_unavailableReason is not null)
        {
            return;
        }

        Options = await PrepareAsync(Options, CancellationToken.None).ConfigureAwait(false);
        _server = await RegistryServer.StartAsync(Options).ConfigureAwait(false);
    }

    /// <summary>Stops the registry process this fixture started and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_server is not null)
            {
                await _server.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await DisposeCoreAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Why this fixture cannot run here (e.g. "openssl not installed ..."), or null. Checked after the registry binary;
    /// when non-null the registry is not started and every test touching the fixture skips with this reason.
    /// </summary>
    protected virtual string? FindMissingPrerequisite() => null;

    /// <summary>
    /// Creates what the registry needs before it starts (certificates, htpasswd, a token server) and returns the
    /// options completed with their paths.
    /// </summary>
    protected virtual ValueTask<RegistryServerOptions> PrepareAsync(RegistryServerOptions options, CancellationToken cancellationToken) =>
        ValueTask.FromResult(options);

    /// <summary>Releases what <see cref="PrepareAsync"/> created; runs after the registry has stopped.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    /// <summary>Whether the registry was started (false when a prerequisite is missing).</summary>
    protected bool IsRunning => _server is not null;

    /// <summary>Skips the calling test when the registry is not running.</summary>
    protected void RequireRunning() => _ = Server;
}
