using Azure.Storage.Blobs;
using Kaniko.Engine;

namespace Kaniko.Cli.Contexts;

/// <summary>
/// An Azure blob named by URL: <c>https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB</c> (or another Azure
/// cloud's blob host), or any URL under the blob endpoint of <c>AZURE_STORAGE_CONNECTION_STRING</c>, which is how an
/// emulator is reached: Azurite's path style <c>http://127.0.0.1:PORT/ACCOUNT/CONTAINER/BLOB</c>.
/// </summary>
/// <param name="BlobUri">The URL as given (its query, a SAS token, kept).</param>
/// <param name="AccountName">The storage account (from the host, or the first path segment in path style); empty when the URL does not tell.</param>
/// <param name="Container">The container.</param>
/// <param name="BlobName">The blob's name inside the container.</param>
/// <param name="UnderConnectionStringEndpoint">Whether the URL lies under the connection string's blob endpoint.</param>
internal sealed record AzureBlobAddress(Uri BlobUri, string AccountName, string Container, string BlobName, bool UnderConnectionStringEndpoint)
{
    internal const string StoreName = "Azure Blob Storage";

    /// <summary>
    /// The blob host suffixes of the Azure clouds, as kaniko recognises them (public, China, US Government, Germany);
    /// the account is the host's first label.
    /// </summary>
    internal static readonly IReadOnlyList<string> HostSuffixes =
    [
        ".blob.core.windows.net",
        ".blob.core.chinacloudapi.cn",
        ".blob.core.usgovcloudapi.net",
        ".blob.core.cloudapi.de",
    ];

    /// <summary>
    /// Whether <paramref name="contextArgument"/> names an Azure blob: an https URL on an Azure blob host, or a URL
    /// under <paramref name="connectionStringEndpoint"/> (the blob endpoint of the connection string, if any).
    /// </summary>
    internal static bool IsBlobUrl(string contextArgument, Uri? connectionStringEndpoint) =>
        Uri.TryCreate(contextArgument, UriKind.Absolute, out var uri)
        && (IsAzureHost(uri) || IsUnder(uri, connectionStringEndpoint));

    /// <summary>Splits a URL <see cref="IsBlobUrl"/> accepted; throws KANIKO2054 when the container or blob is missing.</summary>
    internal static AzureBlobAddress Parse(string contextArgument, Uri? connectionStringEndpoint)
    {
        if (!Uri.TryCreate(contextArgument, UriKind.Absolute, out var uri) || !(IsAzureHost(uri) || IsUnder(uri, connectionStringEndpoint)))
        {
            throw RemoteContextErrors.InvalidAddress(contextArgument, StoreName, "expected https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB, or a URL under the blob endpoint of AZURE_STORAGE_CONNECTION_STRING");
        }

        var underEndpoint = IsUnder(uri, connectionStringEndpoint);
        string account;
        string path;
        if (underEndpoint)
        {
            // The container and blob follow the endpoint, whatever its form (path style carries the account in it).
            account = new BlobUriBuilder(connectionStringEndpoint!).AccountName ?? string.Empty;
            path = uri.AbsolutePath[connectionStringEndpoint!.AbsolutePath.TrimEnd('/').Length..];
        }
        else
        {
            account = AccountOfHost(uri.Host)!;
            path = uri.AbsolutePath;
        }

        var trimmed = path.TrimStart('/');
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        var container = Uri.UnescapeDataString(slash < 0 ? trimmed : trimmed[..slash]);
        var blob = Uri.UnescapeDataString(slash < 0 ? string.Empty : trimmed[(slash + 1)..]);
        if (container.Length == 0)
        {
            throw RemoteContextErrors.InvalidAddress(contextArgument, StoreName, "the container name is missing");
        }

        if (blob.Length == 0 || blob.EndsWith('/'))
        {
            throw RemoteContextErrors.InvalidAddress(contextArgument, StoreName, "name the archive blob (a .tar or .tar.gz), not a container or folder");
        }

        return new AzureBlobAddress(uri, account, container, blob, underEndpoint);
    }

    /// <summary>Whether the URL carries its own shared access signature (a <c>sig</c> query parameter).</summary>
    internal bool HasSharedAccessSignature =>
        BlobUri.Query.TrimStart('?').Split('&').Any(part => part.StartsWith("sig=", StringComparison.OrdinalIgnoreCase));

    private static bool IsAzureHost(Uri uri) => uri.Scheme == Uri.UriSchemeHttps && AccountOfHost(uri.Host) is not null;

    /// <summary>The account label before an Azure blob host suffix (<c>ACCOUNT.blob.core.windows.net</c>), or null.</summary>
    private static string? AccountOfHost(string host)
    {
        foreach (var suffix in HostSuffixes)
        {
            if (host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                var account = host[..^suffix.Length];
                return account.Length > 0 && !account.Contains('.', StringComparison.Ordinal) ? account : null;
            }
        }

        return null;
    }

    private static bool IsUnder(Uri uri, Uri? endpoint)
    {
        if (endpoint is null
            || !string.Equals(uri.Scheme, endpoint.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Host, endpoint.Host, StringComparison.OrdinalIgnoreCase)
            || uri.Port != endpoint.Port)
        {
            return false;
        }

        var root = endpoint.AbsolutePath.TrimEnd('/') + "/";
        return uri.AbsolutePath.StartsWith(root, StringComparison.Ordinal) && uri.AbsolutePath.Length > root.Length;
    }
}
