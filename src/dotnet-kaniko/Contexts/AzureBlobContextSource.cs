using System.Net;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Kaniko.Engine;

namespace Kaniko.Cli.Contexts;

/// <summary>
/// Azure blob contexts (<see cref="AzureBlobAddress"/>), read with the Azure Storage client. Credentials, first
/// found wins: a shared access signature in the URL itself; <c>AZURE_STORAGE_ACCESS_KEY</c> (kaniko's variable)
/// with the account named by the URL; <c>AZURE_STORAGE_CONNECTION_STRING</c> for URLs under its blob endpoint; else
/// <c>DefaultAzureCredential</c> (environment service principal, workload or managed identity, Azure CLI login).
/// </summary>
internal sealed class AzureBlobContextSource : IRemoteContextStore
{
    private readonly Func<string, string?> _environment;
    private readonly BlobClientOptions _options;

    /// <summary>
    /// A source reading the Azure variables through <paramref name="environment"/>; <paramref name="options"/> (the
    /// client's defaults, retries included, when null) lets tests shorten the retry delays.
    /// </summary>
    internal AzureBlobContextSource(Func<string, string?> environment, BlobClientOptions? options = null)
    {
        _environment = environment;
        _options = options ?? new BlobClientOptions();
    }

    /// <inheritdoc/>
    public bool CanFetch(string contextArgument) => AzureBlobAddress.IsBlobUrl(contextArgument, ConnectionStringEndpoint());

    /// <inheritdoc/>
    public async Task FetchAsync(string contextArgument, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var address = AzureBlobAddress.Parse(contextArgument, ConnectionStringEndpoint());
        var client = CreateClient(contextArgument, address);
        try
        {
            var response = await client.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using var download = response.Value;
            await download.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialUnavailableException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw RemoteContextErrors.CredentialsMissing(contextArgument, CredentialsHint, e);
        }
        catch (AuthenticationFailedException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw RemoteContextErrors.AccessDenied(contextArgument, "Microsoft Entra authentication failed", e);
        }
        catch (RequestFailedException e) when (!cancellationToken.IsCancellationRequested && e.Status != 0)
        {
            throw Translate(contextArgument, e);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (BucketContextErrors.IsNetworkFailure(e) || e is RequestFailedException or AggregateException))
        {
            // Status 0, or the pipeline's "retry failed" aggregate: no answer came back.
            throw BucketContextErrors.Unreachable(contextArgument, e);
        }
    }

    private const string CredentialsHint =
        "set AZURE_STORAGE_ACCESS_KEY, AZURE_STORAGE_CONNECTION_STRING, a service principal (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET), a managed identity, or log in with the Azure CLI";

    /// <summary>The blob endpoint of <c>AZURE_STORAGE_CONNECTION_STRING</c>, or null when unset or unreadable.</summary>
    internal Uri? ConnectionStringEndpoint()
    {
        var connectionString = _environment("AZURE_STORAGE_CONNECTION_STRING");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return null;
        }

        try
        {
            // The client only parses the string here; it contacts nothing until asked for a blob.
            return new BlobServiceClient(connectionString).Uri;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private BlobClient CreateClient(string contextArgument, AzureBlobAddress address)
    {
        if (address.HasSharedAccessSignature)
        {
            return new BlobClient(address.BlobUri, _options);
        }

        var accessKey = _environment("AZURE_STORAGE_ACCESS_KEY");
        if (!string.IsNullOrEmpty(accessKey))
        {
            if (address.AccountName.Length == 0)
            {
                throw RemoteContextErrors.InvalidAddress(contextArgument, AzureBlobAddress.StoreName, "the URL does not name the storage account AZURE_STORAGE_ACCESS_KEY is for");
            }

            StorageSharedKeyCredential credential;
            try
            {
                credential = new StorageSharedKeyCredential(address.AccountName, accessKey);
            }
            catch (FormatException e)
            {
                throw RemoteContextErrors.AccessDenied(contextArgument, "AZURE_STORAGE_ACCESS_KEY is not a base64 account key", e);
            }

            return new BlobClient(address.BlobUri, credential, _options);
        }

        if (address.UnderConnectionStringEndpoint)
        {
            return new BlobClient(_environment("AZURE_STORAGE_CONNECTION_STRING"), address.Container, address.BlobName, _options);
        }

        TokenCredential token = new DefaultAzureCredential();
        return new BlobClient(address.BlobUri, token, _options);
    }

    private static Exception Translate(string contextArgument, RequestFailedException e)
    {
        var answer = string.IsNullOrEmpty(e.ErrorCode) ? $"HTTP {e.Status}" : $"HTTP {e.Status} {e.ErrorCode}";
        return (HttpStatusCode)e.Status switch
        {
            HttpStatusCode.NotFound => RemoteContextErrors.NotFound(contextArgument, answer, e),
            HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => RemoteContextErrors.AccessDenied(contextArgument, answer, e),
            _ => RemoteContextErrors.Failed(contextArgument, answer, e),
        };
    }
}
