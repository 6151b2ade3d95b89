using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine;

/// <summary>
/// The errors an <see cref="IRemoteContextStore"/> for a bucket store (S3, Google Cloud Storage, Azure Blob)
/// throws, so every store's messages read alike and come from the catalogue. Each message names the context as
/// <see cref="Display"/> shows it, never a credential: a query string (an Azure SAS token) is cut off.
/// </summary>
public static class RemoteContextErrors
{
    /// <summary>The context value as messages show it: without its query string, which may carry a signature.</summary>
    /// <param name="contextArgument">The <c>--context</c> value as given.</param>
    public static string Display(string contextArgument)
    {
        ArgumentNullException.ThrowIfNull(contextArgument);
        var query = contextArgument.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? contextArgument : contextArgument[..query] + "?…";
    }

    /// <summary>KANIKO2050: the archive (or its bucket) does not exist.</summary>
    /// <param name="contextArgument">The <c>--context</c> value.</param>
    /// <param name="storeAnswer">The store's status and error code, for example <c>HTTP 404 NoSuchKey</c>.</param>
    /// <param name="inner">The client's exception.</param>
    public static KanikoException NotFound(string contextArgument, string storeAnswer, Exception? inner = null) =>
        Create(DiagnosticCodes.ContextObjectNotFound, Strings.ContextObjectNotFound, inner, Display(contextArgument), storeAnswer);

    /// <summary>KANIKO2051: the store refused the archive to the credentials found.</summary>
    /// <param name="contextArgument">The <c>--context</c> value.</param>
    /// <param name="storeAnswer">The store's status and error code, for example <c>HTTP 403 AccessDenied</c>.</param>
    /// <param name="inner">The client's exception.</param>
    public static KanikoException AccessDenied(string contextArgument, string storeAnswer, Exception? inner = null) =>
        Create(DiagnosticCodes.ContextAccessDenied, Strings.ContextAccessDenied, inner, Display(contextArgument), storeAnswer);

    /// <summary>KANIKO2052: no credentials were found for the store.</summary>
    /// <param name="contextArgument">The <c>--context</c> value.</param>
    /// <param name="whatIsLookedFor">Which variables or files would give credentials (names only).</param>
    /// <param name="inner">The client's exception.</param>
    public static KanikoException CredentialsMissing(string contextArgument, string whatIsLookedFor, Exception? inner = null) =>
        Create(DiagnosticCodes.ContextCredentialsMissing, Strings.ContextCredentialsMissing, inner, Display(contextArgument), whatIsLookedFor);

    /// <summary>KANIKO2053: the store could not be reached after the client's retries.</summary>
    /// <param name="contextArgument">The <c>--context</c> value.</param>
    /// <param name="reason">The network failure, for example <c>Connection refused (127.0.0.1:9)</c>.</param>
    /// <param name="inner">The client's exception.</param>
    public static KanikoException Unreachable(string contextArgument, string reason, Exception? inner = null) =>
        Create(DiagnosticCodes.ContextStoreUnreachable, Strings.ContextStoreUnreachable, inner, Display(contextArgument), reason);

    /// <summary>KANIKO2054: the address is malformed.</summary>
    /// <param name="contextArgument">The <c>--context</c> value.</param>
    /// <param name="storeName">The store the address is for, for example <c>S3</c>.</param>
    /// <param name="problem">What is wrong, in a few words.</param>
    public static KanikoException InvalidAddress(string contextArgument, string storeName, string problem) =>
        Create(DiagnosticCodes.ContextBucketUrlInvalid, Strings.ContextBucketUrlInvalid, null, Display(contextArgument), storeName, problem);

    /// <summary>KANIKO2055: the store answered with another error.</summary>
    /// <param name="contextArgument">The <c>--context</c> value.</param>
    /// <param name="storeAnswer">The store's status and error code.</param>
    /// <param name="inner">The client's exception.</param>
    public static KanikoException Failed(string contextArgument, string storeAnswer, Exception? inner = null) =>
        Create(DiagnosticCodes.ContextStoreFailed, Strings.ContextStoreFailed, inner, Display(contextArgument), storeAnswer);

    private static KanikoException Create(DiagnosticCode code, string format, Exception? inner, params object[] arguments) =>
        new(code, string.Format(CultureInfo.InvariantCulture, format, arguments), null, inner);
}
