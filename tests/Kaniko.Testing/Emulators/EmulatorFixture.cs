using Xunit;

namespace Kaniko.Testing.Emulators;

/// <summary>
/// A storage emulator for a test class or collection (<c>IClassFixture</c>): started once on a free 127.0.0.1 port
/// and stopped by process id when disposed. Where Node.js or the npm package is missing it initialises without a
/// server, and every test that touches <see cref="Emulator"/> is skipped (failed under
/// <c>KANIKO_REQUIRE_INTEGRATION=1</c>).
/// </summary>
public abstract class EmulatorFixture : IAsyncLifetime
{
    private EmulatorProcess? _emulator;
    private string _unavailableReason = "the emulator has not started";

    /// <summary>The npm package the emulator comes from.</summary>
    protected abstract NpmPackage Package { get; }

    /// <summary>The running emulator.</summary>
    public EmulatorProcess Emulator
    {
        get
        {
            if (_emulator is null)
            {
                TestRequirements.Unavailable(_unavailableReason);
            }

            return _emulator;
        }
    }

    /// <summary>The emulator's base address, <c>http://127.0.0.1:PORT</c> (no final slash).</summary>
    public string BaseAddress => $"http://127.0.0.1:{Emulator.Port}";

    /// <summary>The <c>node</c> arguments that start the emulator on <paramref name="port"/>, keeping data in <paramref name="dataDirectory"/>.</summary>
    protected abstract IEnumerable<string> Arguments(int port, string dataDirectory);

    /// <summary>Starts the emulator, unless Node.js or the package is missing.</summary>
    public async ValueTask InitializeAsync()
    {
        if (NpmEmulators.Node is not { } node)
        {
            _unavailableReason = TestRequirements.NotInstalled("node");
            return;
        }

        if (!Package.IsInstalled)
        {
            _unavailableReason = Package.MissingMessage;
            return;
        }

        _emulator = await EmulatorProcess.StartAsync(node, Arguments, TestContext.Current.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the emulator.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync().ConfigureAwait(false);
            _emulator = null;
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>s3rver: an S3 server accepting <see cref="AccessKeyId"/>/<see cref="SecretAccessKey"/>; buckets are created by the tests.</summary>
public sealed class S3rverFixture : EmulatorFixture
{
    /// <summary>The only access key s3rver accepts.</summary>
    public const string AccessKeyId = "S3RVER";

    /// <summary>Its secret.</summary>
    public const string SecretAccessKey = "S3RVER";

    /// <inheritdoc/>
    protected override NpmPackage Package => NpmEmulators.S3rver;

    /// <inheritdoc/>
    protected override IEnumerable<string> Arguments(int port, string dataDirectory) =>
    [
        Path.Combine(Package.PackageDirectory, "bin", "s3rver.js"),
        "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--directory", dataDirectory, "--silent",
    ];
}

/// <summary>Azurite's blob service, path style (<c>http://127.0.0.1:PORT/ACCOUNT/CONTAINER/BLOB</c>), with its development account.</summary>
public sealed class AzuriteFixture : EmulatorFixture
{
    /// <summary>Azurite's built-in development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The development account's key, published with Azurite and the Azure SDKs (not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The account's blob endpoint, <c>http://127.0.0.1:PORT/devstoreaccount1</c>.</summary>
    public string BlobEndpoint => $"{BaseAddress}/{AccountName}";

    /// <summary>A connection string for the development account on this emulator.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <inheritdoc/>
    protected override NpmPackage Package => NpmEmulators.Azurite;

    /// <inheritdoc/>
    protected override IEnumerable<string> Arguments(int port, string dataDirectory) =>
    [
        Path.Combine(Package.PackageDirectory, "dist", "src", "blob", "main.js"),
        "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--location", dataDirectory, "--silent",
        // The Azure SDK may speak a newer service version than this Azurite release knows; the calls used are old.
        "--skipApiVersionCheck",
    ];
}

/// <summary>
/// The Cloud Storage emulator of firebase-tools, serving the Google Cloud Storage JSON API without authentication;
/// point a client at it with <c>STORAGE_EMULATOR_HOST=</c><see cref="EmulatorHost"/>.
/// </summary>
public sealed class GcsEmulatorFixture : EmulatorFixture
{
    /// <summary>The <c>STORAGE_EMULATOR_HOST</c> value, <c>127.0.0.1:PORT</c>.</summary>
    public string EmulatorHost => $"127.0.0.1:{Emulator.Port}";

    /// <inheritdoc/>
    protected override NpmPackage Package => NpmEmulators.FirebaseTools;

    /// <inheritdoc/>
    protected override IEnumerable<string> Arguments(int port, string dataDirectory) =>
    [
        Path.Combine(AppContext.BaseDirectory, "Emulators", "gcs-emulator.js"),
        Package.Prefix, port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];
}
