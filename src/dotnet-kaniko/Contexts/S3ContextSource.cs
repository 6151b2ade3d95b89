using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Kaniko.Engine;

namespace Kaniko.Cli.Contexts;

/// <summary>
/// <c>s3://BUCKET/KEY</c> contexts, read with the AWS SDK. As in kaniko: credentials from the AWS default chain
/// (<c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>[/<c>AWS_SESSION_TOKEN</c>], then profiles, web identity,
/// container and instance credentials), the region from <c>AWS_REGION</c> (or the profile), and an S3-compatible
/// endpoint from <c>S3_ENDPOINT</c> with <c>S3_FORCE_PATH_STYLE=true</c> for path-style addressing. Without
/// <c>S3_ENDPOINT</c> the SDK's own <c>AWS_ENDPOINT_URL_S3</c>/<c>AWS_ENDPOINT_URL</c> apply.
/// </summary>
internal sealed class S3ContextSource : IRemoteContextStore
{
    private const string Scheme = "s3";
    private const string StoreName = "S3";

    /// <summary>The region that signs requests to a custom endpoint when none is configured (what S3 servers expect).</summary>
    private const string DefaultEndpointRegion = "us-east-1";

    private readonly Func<string, string?> _environment;

    /// <summary>A source reading kaniko's variables through <paramref name="environment"/>.</summary>
    internal S3ContextSource(Func<string, string?> environment)
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
        var config = CreateConfig();
        var credentials = await ResolveCredentialsAsync(contextArgument, config, cancellationToken).ConfigureAwait(false);
        using var client = new AmazonS3Client(credentials, config);
        try
        {
            using var response = await client.GetObjectAsync(address.Bucket, address.ObjectName, cancellationToken).ConfigureAwait(false);
            await response.ResponseStream.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e) when (!cancellationToken.IsCancellationRequested && e.StatusCode != 0)
        {
            // An answer from the service (AmazonS3Exception, or a credential service's): its status decides.
            throw Translate(contextArgument, e);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && BucketContextErrors.IsNetworkFailure(e))
        {
            throw BucketContextErrors.Unreachable(contextArgument, e);
        }
    }

    /// <summary>The client settings kaniko's variables ask for.</summary>
    internal AmazonS3Config CreateConfig()
    {
        var config = new AmazonS3Config();
        var endpoint = _environment("S3_ENDPOINT");
        if (!string.IsNullOrEmpty(endpoint))
        {
            config.ServiceURL = endpoint;
            if (string.IsNullOrEmpty(_environment("AWS_REGION")) && string.IsNullOrEmpty(_environment("AWS_DEFAULT_REGION")))
            {
                config.AuthenticationRegion = DefaultEndpointRegion;
            }
        }

        if (IsGoTrue(_environment("S3_FORCE_PATH_STYLE")))
        {
            config.ForcePathStyle = true;
        }

        return config;
    }

    /// <summary>Whether kaniko (Go's <c>strconv.ParseBool</c>) reads <paramref name="value"/> as true.</summary>
    private static bool IsGoTrue(string? value) => value is "1" or "t" or "T" or "true" or "TRUE" or "True";

    private async Task<AWSCredentials> ResolveCredentialsAsync(string contextArgument, AmazonS3Config config, CancellationToken cancellationToken)
    {
        // The environment keys first, read through the host (the SDK reads the process environment itself): the same
        // answer in the tool, and tests can give keys without touching the process.
        var accessKey = _environment("AWS_ACCESS_KEY_ID");
        var secretKey = _environment("AWS_SECRET_ACCESS_KEY");
        if (!string.IsNullOrEmpty(accessKey) && !string.IsNullOrEmpty(secretKey))
        {
            var sessionToken = _environment("AWS_SESSION_TOKEN");
            return string.IsNullOrEmpty(sessionToken)
                ? new BasicAWSCredentials(accessKey, secretKey)
                : new SessionAWSCredentials(accessKey, secretKey, sessionToken);
        }

        try
        {
            // The chain may wait for an instance metadata service that is not there; cancellation must not wait with it.
            return await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(config).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonClientException e)
        {
            throw RemoteContextErrors.CredentialsMissing(
                contextArgument, "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile (AWS_PROFILE), web identity or instance role", e);
        }
    }

    private static Exception Translate(string contextArgument, AmazonServiceException e)
    {
        var answer = string.IsNullOrEmpty(e.ErrorCode)
            ? $"HTTP {(int)e.StatusCode}"
            : $"HTTP {(int)e.StatusCode} {e.ErrorCode}";
        return e.StatusCode switch
        {
            HttpStatusCode.NotFound => RemoteContextErrors.NotFound(contextArgument, answer, e),
            HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => RemoteContextErrors.AccessDenied(contextArgument, answer, e),
            _ => RemoteContextErrors.Failed(contextArgument, answer, e),
        };
    }
}
