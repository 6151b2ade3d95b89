using Kaniko.Cli.Contexts;
using Kaniko.Engine;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli.Tests.Contexts;

/// <summary>Which <c>--context</c> values each bucket store takes, and how it splits them.</summary>
public sealed class BucketContextAddressTests
{
    private const string AzuriteConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10500/devstoreaccount1;";

    private static readonly Func<string, string?> NoVariables = _ => null;

    public static TheoryData<string, bool, bool, bool> Recognition => new()
    {
        // context, S3, GCS, Azure (no connection string)
        { "s3://bucket/context.tar.gz", true, false, false },
        { "S3://bucket/dir/context.tar.gz", true, false, false },
        { "gs://bucket/context.tar.gz", false, true, false },
        { "https://myaccount.blob.core.windows.net/container/context.tar.gz", false, false, true },
        { "https://myaccount.blob.core.usgovcloudapi.net/container/context.tar.gz", false, false, true },
        { "https://MyAccount.Blob.Core.Windows.Net/container/context.tar.gz", false, false, true },
        { "http://myaccount.blob.core.windows.net/container/context.tar.gz", false, false, false },
        { "https://blob.core.windows.net/container/context.tar.gz", false, false, false },
        { "https://a.b.blob.core.windows.net/container/context.tar.gz", false, false, false },
        { "https://example.test/container/context.tar.gz", false, false, false },
        { "http://127.0.0.1:10500/devstoreaccount1/container/context.tar.gz", false, false, false },
        { "s3:/bucket/context.tar.gz", false, false, false },
        { "s3://", false, false, false },
        { "gcs://bucket/context.tar.gz", false, false, false },
        { "dir:///workspace", false, false, false },
        { "/workspace/s3://x", false, false, false },
        { "tar://context.tar.gz", false, false, false },
    };

    [Theory]
    [MemberData(nameof(Recognition))]
    public void Each_store_takes_its_own_addresses(string context, bool s3, bool gcs, bool azure)
    {
        Assert.Equal(s3, new S3ContextSource(NoVariables).CanFetch(context));
        Assert.Equal(gcs, new GcsContextSource(NoVariables).CanFetch(context));
        Assert.Equal(azure, new AzureBlobContextSource(NoVariables).CanFetch(context));
    }

    [Theory]
    [InlineData("s3://bucket/context.tar.gz", "bucket", "context.tar.gz")]
    [InlineData("s3://bucket/deep/er/context.tar.gz", "bucket", "deep/er/context.tar.gz")]
    [InlineData("s3://my.bucket/a b/c.tar", "my.bucket", "a b/c.tar")]
    public void Scheme_addresses_split_into_bucket_and_object(string context, string bucket, string objectName) =>
        Assert.Equal(new SchemeObjectAddress(bucket, objectName), SchemeObjectAddress.Parse(context, "s3", "S3"));

    [Theory]
    [InlineData("s3://bucket")]
    [InlineData("s3://bucket/")]
    [InlineData("s3://bucket/folder/")]
    [InlineData("s3:///context.tar.gz")]
    [InlineData("s3://buck?et/context.tar.gz")]
    public void Scheme_addresses_without_bucket_or_object_are_invalid(string context)
    {
        var error = Assert.Throws<KanikoException>(() => SchemeObjectAddress.Parse(context, "s3", "S3"));

        Assert.Equal(DiagnosticCodes.ContextBucketUrlInvalid, error.Code);
        Assert.Contains(context.Split('?')[0], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_address_fails_before_any_client_is_made()
    {
        using var destination = new MemoryStream();

        var s3 = await Assert.ThrowsAsync<KanikoException>(() => new S3ContextSource(NoVariables).FetchAsync("s3://bucket/", destination, TestContext.Current.CancellationToken));
        var gcs = await Assert.ThrowsAsync<KanikoException>(() => new GcsContextSource(NoVariables).FetchAsync("gs://bucket", destination, TestContext.Current.CancellationToken));
        var azure = await Assert.ThrowsAsync<KanikoException>(() => new AzureBlobContextSource(NoVariables).FetchAsync(
            "https://acct.blob.core.windows.net/container", destination, TestContext.Current.CancellationToken));

        Assert.All([s3, gcs, azure], e => Assert.Equal(DiagnosticCodes.ContextBucketUrlInvalid, e.Code));
        Assert.Contains("Google Cloud Storage", gcs.Message, StringComparison.Ordinal);
        Assert.Contains("container", azure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/container/dir/context.tar.gz", "acct", "container", "dir/context.tar.gz")]
    [InlineData("https://acct.blob.core.chinacloudapi.cn/c/a%20b.tar.gz", "acct", "c", "a b.tar.gz")]
    [InlineData("https://acct.blob.core.windows.net/c/context.tar.gz?sv=2024&sig=abc", "acct", "c", "context.tar.gz")]
    public void Azure_host_urls_name_the_account_container_and_blob(string context, string account, string container, string blob)
    {
        var address = AzureBlobAddress.Parse(context, null);

        Assert.Equal((account, container, blob, false), (address.AccountName, address.Container, address.BlobName, address.UnderConnectionStringEndpoint));
    }

    [Fact]
    public void An_emulator_url_is_taken_only_under_the_connection_strings_endpoint()
    {
        var withEmulator = new AzureBlobContextSource(name => name == "AZURE_STORAGE_CONNECTION_STRING" ? AzuriteConnectionString : null);

        Assert.True(withEmulator.CanFetch("http://127.0.0.1:10500/devstoreaccount1/container/context.tar.gz"));
        Assert.False(withEmulator.CanFetch("http://127.0.0.1:10501/devstoreaccount1/container/context.tar.gz"));
        Assert.False(withEmulator.CanFetch("http://127.0.0.1:10500/otheraccount/container/context.tar.gz"));
        Assert.False(withEmulator.CanFetch("http://127.0.0.1:10500/devstoreaccount1"));
        Assert.True(withEmulator.CanFetch("https://acct.blob.core.windows.net/container/context.tar.gz"));

        var address = AzureBlobAddress.Parse("http://127.0.0.1:10500/devstoreaccount1/container/dir/context.tar.gz", withEmulator.ConnectionStringEndpoint());
        Assert.Equal(("devstoreaccount1", "container", "dir/context.tar.gz", true), (address.AccountName, address.Container, address.BlobName, address.UnderConnectionStringEndpoint));
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true", "http://127.0.0.1:10000/devstoreaccount1/c/context.tar.gz", true)]
    [InlineData("not a connection string", "http://127.0.0.1:10000/devstoreaccount1/c/context.tar.gz", false)]
    public void The_development_storage_shortcut_names_azurites_default_endpoint(string connectionString, string context, bool recognised) =>
        Assert.Equal(recognised, new AzureBlobContextSource(name => name == "AZURE_STORAGE_CONNECTION_STRING" ? connectionString : null).CanFetch(context));

    [Fact]
    public void A_shared_access_signature_is_recognised_and_never_shown()
    {
        const string Context = "https://acct.blob.core.windows.net/c/context.tar.gz?sv=2024-05-04&sr=b&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D";

        Assert.True(AzureBlobAddress.Parse(Context, null).HasSharedAccessSignature);
        Assert.False(AzureBlobAddress.Parse("https://acct.blob.core.windows.net/c/context.tar.gz?sv=1", null).HasSharedAccessSignature);
        Assert.Equal("https://acct.blob.core.windows.net/c/context.tar.gz?…", RemoteContextErrors.Display(Context));
        Assert.DoesNotContain("sig=", RemoteContextErrors.NotFound(Context, "HTTP 404 BlobNotFound").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kanikos_endpoint_variables_configure_the_s3_client()
    {
        var variables = new Dictionary<string, string> { ["S3_ENDPOINT"] = "http://127.0.0.1:9000", ["S3_FORCE_PATH_STYLE"] = "true" };

        var config = new S3ContextSource(name => variables.GetValueOrDefault(name)).CreateConfig();
        var plain = new S3ContextSource(NoVariables).CreateConfig();

        Assert.Equal("http://127.0.0.1:9000/", config.ServiceURL);
        Assert.True(config.ForcePathStyle);
        Assert.Equal("us-east-1", config.AuthenticationRegion);
        Assert.False(plain.ForcePathStyle);
        Assert.Null(plain.AuthenticationRegion);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    [InlineData("yes", false)]
    public void Path_style_follows_gos_reading_of_the_variable(string value, bool forced) =>
        Assert.Equal(forced, new S3ContextSource(name => name == "S3_FORCE_PATH_STYLE" ? value : null).CreateConfig().ForcePathStyle);

    [Fact]
    public void A_region_given_keeps_signing_for_that_region()
    {
        var variables = new Dictionary<string, string> { ["S3_ENDPOINT"] = "http://127.0.0.1:9000", ["AWS_REGION"] = "eu-west-3" };

        Assert.Null(new S3ContextSource(name => variables.GetValueOrDefault(name)).CreateConfig().AuthenticationRegion);
    }

    [Theory]
    [InlineData("127.0.0.1:4443", "http://127.0.0.1:4443/storage/v1/")]
    [InlineData("http://127.0.0.1:4443/", "http://127.0.0.1:4443/storage/v1/")]
    [InlineData("https://gcs.test:8443", "https://gcs.test:8443/storage/v1/")]
    public void The_emulator_variable_gives_the_json_api_address(string host, string expected) =>
        Assert.Equal(new Uri(expected), new GcsContextSource(name => name == "STORAGE_EMULATOR_HOST" ? host : null).EmulatorBaseUri());

    [Fact]
    public void The_build_command_registers_the_three_stores()
    {
        var parse = KanikoCommandLine.Create().Parse(["build", "--context", "s3://bucket/context.tar.gz", "--no-push"]);

        var request = BuildOptions.Bind(parse, NoVariables);

        Assert.All(request.RemoteContextSources, s => Assert.False(Assert.IsType<DeferredContextStore>(s).IsCreated));
        Assert.Collection(
            request.RemoteContextSources.Cast<DeferredContextStore>(),
            s => Assert.IsType<S3ContextSource>(s.Store),
            s => Assert.IsType<GcsContextSource>(s.Store),
            s => Assert.IsType<AzureBlobContextSource>(s.Store));
        Assert.Single(request.RemoteContextSources, s => s.CanFetch(request.Context));
    }
}
