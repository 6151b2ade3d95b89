using Kaniko.Engine;


namespace Kaniko.Cli.Contexts;

/// <summary>The bucket stores <c>dotnet kaniko build --context</c> reads archives from: S3, Google Cloud Storage, Azure Blob.</summary>
internal static class BucketContextSources
{
    /// <summary>One source per store, each reading its variables through <paramref name="environment"/>.</summary>
    internal static IReadOnlyList<IRemoteContextStore> Create(Func<string, string?> environment) =>
    [
        new S3ContextSource(environment),
        new GcsContextSource(environment),
        new AzureBlobContextSource(environment),
    ];
}
