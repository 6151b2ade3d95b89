using System.Globalization;
using System.Text.Json;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// Writes a SLSA Provenance v1 predicate: <c>buildDefinition</c> (build type, the external parameters a user chose,
/// the internal ones, the resolved dependencies: base images, the context's revision and the Dockerfile) and
/// <c>runDetails</c> (builder id and version, invocation id and times). Secrets never appear: <c>--secret</c> values
/// are not known here, and proxy arguments are recorded by name only.
/// </summary>
internal static class SlsaProvenance
{
    /// <summary>The predicate type of SLSA Provenance v1.</summary>
    public const string PredicateType = "https://slsa.dev/provenance/v1";

    /// <summary>The build type this tool records (documented in <c>docs/supply-chain.md</c>).</summary>
    public const string BuildType = "urn:kaniko-dotnet:buildtype:dockerfile:v1";

    /// <summary>The builder id when none is given.</summary>
    public const string DefaultBuilderId = "urn:kaniko-dotnet:builder";

    /// <summary>The predicate, as UTF-8 JSON.</summary>
    public static byte[] Write(ProvenanceFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("buildDefinition");
            json.WriteString("buildType", BuildType);
            WriteExternalParameters(json, facts);
            json.WriteStartObject("internalParameters");
            json.WriteString("builderPlatform", facts.BuildPlatform.ToString());
            json.WriteEndObject();
            WriteResolvedDependencies(json, facts);
            json.WriteEndObject();

            json.WriteStartObject("runDetails");
            json.WriteStartObject("builder");
            json.WriteString("id", facts.BuilderId);
            json.WriteStartObject("version");
            json.WriteString("kaniko-dotnet", facts.BuilderVersion);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartObject("metadata");
            if (facts.InvocationId is { } invocation)
            {
                json.WriteString("invocationId", invocation);
            }

            json.WriteString("startedOn", Time(facts.StartedOn));
            json.WriteString("finishedOn", Time(facts.FinishedOn));
            json.WriteBoolean("kaniko_reproducible", facts.Reproducible);
            json.WriteString("kaniko_mode", facts.Max ? "max" : "min");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteExternalParameters(Utf8JsonWriter json, ProvenanceFacts facts)
    {
        json.WriteStartObject("externalParameters");
        json.WriteStartObject("configSource");
        json.WriteString("uri", facts.GitUrl ?? facts.Context);
        if (facts.GitCommit is not null || facts.ArchiveDigest is not null)
        {
            json.WriteStartObject("digest");
            if (facts.GitCommit is { } commit)
            {
                json.WriteString("gitCommit", commit);
            }

            if (facts.ArchiveDigest is { } archive)
            {
                json.WriteString(archive.Algorithm, archive.Encoded);
            }

            json.WriteEndObject();
        }

        json.WriteString("path", facts.DockerfilePath);
        json.WriteEndObject();

        json.WriteStartObject("request");
        json.WriteString("frontend", "dockerfile.v0");
        json.WriteStartObject("args");
        foreach (var (name, value) in facts.BuildArgs.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            json.WriteString("build-arg:" + name, value);
        }

        if (facts.Target is { } target)
        {
            json.WriteString("target", target);
        }

        json.WriteString("platform", facts.Platform.ToString());
        json.WriteEndObject();
        if (facts.Max && facts.Stages.Count > 0)
        {
            json.WriteStartArray("stages");
            foreach (var (stage, steps) in facts.Stages)
            {
                json.WriteStartObject();
                json.WriteString("name", stage);
                json.WriteStartArray("steps");
                foreach (var step in steps)
                {
                    json.WriteStringValue(step);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResolvedDependencies(Utf8JsonWriter json, ProvenanceFacts facts)
    {
        json.WriteStartArray("resolvedDependencies");
        foreach (var material in facts.Materials.DistinctBy(m => (m.Reference, m.Digest)).OrderBy(m => m.Reference, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("uri", "pkg:docker/" + material.Reference + "?platform=" + Uri.EscapeDataString(facts.Platform.ToString()));
            WriteDigest(json, material.Digest.Algorithm, material.Digest.Encoded);
            json.WriteEndObject();
        }

        if (facts.GitCommit is { } commit)
        {
            json.WriteStartObject();
            json.WriteString("uri", facts.GitUrl ?? facts.Context);
            WriteDigest(json, "gitCommit", commit);
            json.WriteEndObject();
        }

        json.WriteStartObject();
        json.WriteString("name", facts.DockerfilePath);
        WriteDigest(json, facts.DockerfileDigest.Algorithm, facts.DockerfileDigest.Encoded);
        json.WriteEndObject();
        if (facts.ContextDigest is { } context)
        {
            json.WriteStartObject();
            json.WriteString("name", "context");
            json.WriteString("uri", facts.Context);
            WriteDigest(json, context.Algorithm, context.Encoded);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteDigest(Utf8JsonWriter json, string algorithm, string value)
    {
        json.WriteStartObject("digest");
        json.WriteString(algorithm, value);
        json.WriteEndObject();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
