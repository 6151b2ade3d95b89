using System.Net;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Registry;

/// <summary>One entry of a registry's error body, <c>{"errors":[{"code":…,"message":…,"detail":…}]}</c>.</summary>
/// <param name="Code">The distribution spec's code, for example <c>MANIFEST_UNKNOWN</c> or <c>DENIED</c>.</param>
/// <param name="Message">The registry's human-readable message.</param>
/// <param name="Detail">The <c>detail</c> value as raw JSON, when present.</param>
internal sealed record RegistryError(string Code, string? Message, string? Detail)
{
    /// <summary><c>CODE: message</c>, or the code alone.</summary>
    public override string ToString() => string.IsNullOrEmpty(Message) ? Code : Code + ": " + Message;
}

/// <summary>
/// A registry operation failed: the registry answered with an error, could not be reached, or sent something
/// wrong. <see cref="IsTransient"/> tells whether trying again may help (429, 5xx, resets, timeouts); the client has
/// already retried those as many times as it was allowed when this reaches a caller.
/// </summary>
internal sealed class RegistryException : KanikoException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">The diagnostic code.</param>
    /// <param name="detail">The message: names the reference, the registry and what to do.</param>
    /// <param name="statusCode">The HTTP status, when the registry answered.</param>
    /// <param name="errors">The errors the registry listed in its body.</param>
    /// <param name="isTransient">True when trying again may succeed.</param>
    /// <param name="retryAfter">How long the registry asked us to wait (<c>Retry-After</c>).</param>
    /// <param name="innerException">The underlying failure.</param>
    public RegistryException(
        DiagnosticCode code,
        string detail,
        HttpStatusCode? statusCode = null,
        IReadOnlyList<RegistryError>? errors = null,
        bool isTransient = false,
        TimeSpan? retryAfter = null,
        Exception? innerException = null)
        : base(code, detail, null, innerException)
    {
        StatusCode = statusCode;
        Errors = errors ?? [];
        IsTransient = isTransient;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status, when the registry answered.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The errors of the registry's JSON error body, in its order.</summary>
    public IReadOnlyList<RegistryError> Errors { get; }

    /// <summary>True when trying again may succeed: 408, 429, 5xx, connection resets, timeouts.</summary>
    public bool IsTransient { get; }

    /// <summary>The delay the registry asked for with <c>Retry-After</c>, if any.</summary>
    public TimeSpan? RetryAfter { get; }
}
