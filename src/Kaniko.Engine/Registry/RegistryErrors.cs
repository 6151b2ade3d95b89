using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Registry;

/// <summary>What a failing request was doing, for messages: <c>pull manifest 127.0.0.1:5000/app:1</c>.</summary>
/// <param name="Description">The operation and its object, as the message should name them.</param>
/// <param name="Registry">The registry, <c>host[:port]</c>.</param>
/// <param name="Access">Pull or push, for the "may pull/push" advice.</param>
internal sealed record RequestContext(string Description, string Registry, RegistryAccess Access)
{
    /// <summary>Set for manifest requests: a 404 then means "manifest unknown" for this reference.</summary>
    public string? ManifestReference { get; init; }

    /// <summary>Set for blob requests: a 404 then means "blob unknown".</summary>
    public string? BlobDigest { get; init; }

    /// <summary>Set for blob requests: the repository, for "blob unknown" messages.</summary>
    public string? Repository { get; init; }
}

/// <summary>Turns failed HTTP exchanges into <see cref="RegistryException"/>s with messages a user can act on.</summary>
internal static class RegistryErrors
{
    // A registry's error body is a few hundred bytes; a proxy's HTML page may be more, and we need neither in full.
    private const int MaxErrorBodyBytes = 64 * 1024;

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal) { "TOOMANYREQUESTS", "UNAVAILABLE" };

    public static async Task<RegistryException> FromResponseAsync(HttpResponseMessage response, RequestContext context, string keychainDescription, CancellationToken cancellationToken)
    {
        var body = await ReadCappedAsync(response, cancellationToken).ConfigureAwait(false);
        var errors = ParseErrors(body);
        var status = response.StatusCode;
        var retryAfter = ReadRetryAfter(response);
        var transient = IsTransientStatus(status) || errors.Any(e => TransientCodes.Contains(e.Code));
        var listed = errors.Count > 0 ? " (" + string.Join("; ", errors) + ")" : string.Empty;
        string detail;
        DiagnosticCode code;
        if (status == HttpStatusCode.NotFound && context.ManifestReference is { } reference)
        {
            code = DiagnosticCodes.ManifestUnknown;
            detail = Format(Strings.ManifestUnknown, reference, listed);
        }
        else if (status == HttpStatusCode.NotFound && context.BlobDigest is { } digest)
        {
            code = DiagnosticCodes.BlobUnknown;
            detail = Format(Strings.BlobUnknown, digest, context.Repository ?? context.Registry, listed);
        }
        else if (status == HttpStatusCode.Unauthorized)
        {
            code = DiagnosticCodes.RegistryAccessDenied;
            detail = Format(Strings.RegistryUnauthorized, context.Description, context.Registry, listed, keychainDescription);
        }
        else if (status == HttpStatusCode.Forbidden)
        {
            code = DiagnosticCodes.RegistryAccessDenied;
            detail = Format(Strings.RegistryAccessDenied, context.Description, context.Registry, listed, keychainDescription,
                context.Access == RegistryAccess.Push ? "push to" : "pull from");
        }
        else
        {
            code = DiagnosticCodes.RegistryRequestFailed;
            var statusText = ((int)status).ToString(CultureInfo.InvariantCulture) + " " + response.ReasonPhrase;
            if (errors.Count == 0 && body.Length > 0 && !LooksLikeMarkup(body))
            {
                listed = " (" + Truncate(Encoding.UTF8.GetString(body), 300) + ")";
            }

            detail = Format(Strings.RegistryRequestFailed, context.Description, context.Registry, statusText.TrimEnd(), listed);
        }

        return new RegistryException(code, detail, status, errors, transient, retryAfter);
    }

    /// <summary>Maps a transport failure (no HTTP answer) to an exception; resets and timeouts are transient.</summary>
    public static RegistryException FromTransport(Exception error, RequestContext context)
    {
        var reason = Describe(error);
        var transient = error switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } => false,
            HttpRequestException http when http.InnerException is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } => false,
            _ => true,
        };
        return new RegistryException(
            DiagnosticCodes.RegistryUnreachable,
            Format(Strings.RegistryUnreachable, context.Registry, context.Description, reason),
            isTransient: transient,
            innerException: error);
    }

    public static RegistryException Timeout(RequestContext context, TimeSpan timeout, Exception inner) => new(
        DiagnosticCodes.RegistryTimeout,
        Format(Strings.RegistryTimeout, context.Description, context.Registry, timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)),
        isTransient: true,
        innerException: inner);

    /// <summary>A transfer that moved no byte for <paramref name="timeout"/> (<see cref="TransferWatchdog"/>).</summary>
    public static RegistryException Stalled(RequestContext context, TimeSpan timeout, Exception inner) => new(
        DiagnosticCodes.RegistryTimeout,
        Format(Strings.TransferStalledAt, context.Description, context.Registry, timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)),
        isTransient: true,
        innerException: inner);

    public static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    public static IReadOnlyList<RegistryError> ParseErrors(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("errors", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            var errors = new List<RegistryError>();
            foreach (var entry in list.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var code = entry.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "UNKNOWN";
                var message = entry.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                var detail = entry.TryGetProperty("detail", out var d) && d.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                    ? Truncate(d.GetRawText(), 500)
                    : null;
                errors.Add(new RegistryError(code, message, detail));
            }

            return errors;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Reads <c>Retry-After</c>: delta seconds or an HTTP date.</summary>
    public static TimeSpan? ReadRetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    private static async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxErrorBodyBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return buffer[..total];
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // The status alone still makes a useful error.
            return [];
        }
    }

    private static string Describe(Exception error)
    {
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message, StringComparer.Ordinal))
            {
                messages.Add(e.Message.TrimEnd('.'));
            }
        }

        return string.Join(": ", messages);
    }

    private static bool LooksLikeMarkup(ReadOnlySpan<byte> body) => body.TrimStart(" \r\n\t"u8).StartsWith("<"u8);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    private static string Format(string format, params object?[] arguments) =>
        string.Format(CultureInfo.InvariantCulture, format, arguments);
}
