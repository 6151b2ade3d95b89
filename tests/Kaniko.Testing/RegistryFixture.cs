using Xunit;

namespace Kaniko.Testing;

/// <summary>
/// A real registry for integration tests, usable as an xunit assembly or collection fixture. It starts Debian's
/// distribution registry on 127.0.0.1 when first initialised and stops it when disposed. Where the binary is not
/// installed, the fixture initialises without a registry and every test that touches <see cref="Host"/> (or the other
/// members) is skipped with <see cref="MissingBinaryMessage"/>.
/// </summary>
/// <remarks>
/// Not sealed: TLS, htpasswd and token-auth variants derive from it and pass their <see cref="RegistryOptions"/>,
/// because xunit creates fixtures through a parameterless constructor.
/// </remarks>
public class RegistryFixture : IAsyncLifetime
{
    /// <summary>Why tests are skipped when the registry binary is missing.</summary>
    public const string MissingBinaryMessage = "docker-registry not installed (scripts/install-test-deps.sh)";

    private RegistryServer? server;

    /// <summary>A plain HTTP registry (<see cref="RegistryOptions.Default"/>).</summary>
    public RegistryFixture()
        : this(RegistryOptions.Default)
    {
    }

    /// <summary>A registry configured by <paramref name="options"/>.</summary>
    protected RegistryFixture(RegistryOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The configuration of this registry.</summary>
    public RegistryOptions Options { get; }

    /// <summary>The registry host as image references spell it: <c>127.0.0.1:PORT</c>.</summary>
    public string Host => Server.Host;

    /// <summary>The registry's base address, <c>http://127.0.0.1:PORT/</c>.</summary>
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
            if (server is null)
            {
                TestRequirements.Unavailable(MissingBinaryMessage);
            }

            return server;
        }
    }

    /// <summary>Starts the registry, unless its binary is missing.</summary>
    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Options.BinaryPath))
        {
            return;
        }

        server = await RegistryServer.StartAsync(Options).ConfigureAwait(false);
    }

    /// <summary>Stops the registry process this fixture started and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }
}
