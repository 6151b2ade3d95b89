using System.Net;
using Google;
using Google.Cloud.Storage.V1;
using Kaniko.Engine;

namespace Kaniko.Cli.Contexts;

/// <summary>
/// <c>gs://BUCKET/OBJECT</c> contexts, read with the Google Cloud Storage client. Credentials are the Application
/// Default Credentials (<c>GOOGLE_APPLICATION_CREDENTIALS</c>, the gcloud user login, the metadata server), as in
/// kaniko. <c>STORAGE_EMULATOR_HOST</c> (<c>HOST:PORT</c> or a URL), the Google libraries' emulator variable, sends
/// the requests to an emulator instead, without credentials.
/// </summary>
internal sealed class GcsContextSource : IRemoteContextStore
{
    private const string Scheme = "gs";
    private const string StoreName = "Google Cloud Storage";

    private readonly Func<string, string?> _environment;

    /// <summary>A source reading <c>STORAGE_EMULATOR_HOST</c> through <paramref name="environment"/>.</summary>
    internal GcsContextSource(Func<string, string?> environment)
    {
        _environment = environment;
    }

    /// <inheritdoc/>
    public bool CanFetch(string contextArgument) => SchemeObjectAddress.HasScheme(contextArgument, Scheme);

    /// <inheritdoc/>
    public async Task FetchAsync(string contextArgument, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var address = SchemeObjectAddress.Parse(contextArgument, Scheme, StoreName);
        using var client = await CreateClientAsync(contextArgument, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.DownloadObjectAsync(address.Bucket, address.ObjectName, destination, options: null, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleApiException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Translate(contextArgument, e);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && BucketContextErrors.IsNetworkFailure(e))
        {
            throw BucketContextErrors.Unreachable(contextArgument, e);
        }
    }

    /// <summary>The JSON API base address of the emulator <c>STORAGE_EMULATOR_HOST</c> names, or null.</summary>
    internal Uri? EmulatorBaseUri()
    {
        var host = _environment("STORAGE_EMULATOR_HOST");
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        var root = host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host;
        return new Uri(root.TrimEnd('/') + "/storage/v1/", UriKind.Absolute);
    }

    private async Task<StorageClient> CreateClientAsync(string contextArgument, CancellationToken cancellationToken)
    {
        Uri? emulator;
        try
        {
            emulator = EmulatorBaseUri();
        }
        catch (UriFormatException)
        {
            throw RemoteContextErrors.InvalidAddress(contextArgument, StoreName, "STORAGE_EMULATOR_HOST is not HOST:PORT or a URL");
        }

        if (emulator is not null)
        {
            return await new StorageClientBuilder { BaseUri = emulator.AbsoluteUri, UnauthenticatedAccess = true }
                .BuildAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await StorageClient.CreateAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // What the credential library throws when no Application Default Credentials exist.
            throw RemoteContextErrors.CredentialsMissing(
                contextArgument, "set GOOGLE_APPLICATION_CREDENTIALS to a key or credential file, log in with gcloud, or run where a metadata server gives them", e);
        }
    }

    private static Exception Translate(string contextArgument, GoogleApiException e)
    {
        var reason = e.Error?.Errors is { Count: > 0 } errors ? errors[0].Reason : null;
        var answer = string.IsNullOrEmpty(reason) ? $"HTTP {(int)e.HttpStatusCode}" : $"HTTP {(int)e.HttpStatusCode} {reason}";
        return e.HttpStatusCode switch
        {
            HttpStatusCode.NotFound => RemoteContextErrors.NotFound(contextArgument, answer, e),
            HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => RemoteContextErrors.AccessDenied(contextArgument, answer, e),
            _ => RemoteContextErrors.Failed(contextArgument, answer, e),
        };
    }
}
