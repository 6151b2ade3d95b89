using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Oci;

/// <summary>Helpers shared by the OCI tests: table files, fixtures, round trips.</summary>
internal static class OciTestData
{
    public static string Directory => Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", "Oci");

    public static byte[] Read(string fileName) => File.ReadAllBytes(Path.Combine(Directory, fileName));

    /// <summary>The rows of a tab-separated table: '#' lines and empty lines skipped, fields never trimmed.</summary>
    public static IEnumerable<string[]> Table(string path) =>
        File.ReadAllLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'));

    public static TheoryData<string> FirstColumn(string fileName)
    {
        var data = new TheoryData<string>();
        foreach (var row in Table(Path.Combine(Directory, fileName)))
        {
            data.Add(row[0]);
        }

        return data;
    }

    public static string[] Row(string fileName, string key) =>
        Table(Path.Combine(Directory, fileName)).Single(row => row[0] == key);

    /// <summary>
    /// Parses, serialises, parses and serialises again. Returns null when both serialisations are the same bytes and
    /// the first one holds the same JSON as the original (nulls count as absent, member order does not matter);
    /// otherwise says what differs.
    /// </summary>
    public static string? RoundTripProblem<T>(byte[] original)
        where T : class, IOciDocument<T>
    {
        var first = RawJson<T>.Parse(original);
        var serialised = RawJson<T>.Serialize(first.Value);
        var second = RawJson<T>.Parse(serialised.Bytes.Span);
        var reserialised = RawJson<T>.Serialize(second.Value);
        if (!serialised.Bytes.Span.SequenceEqual(reserialised.Bytes.Span))
        {
            return $"serialising twice gave different bytes:\n{serialised}\n{reserialised}";
        }

        return JsonEquivalent(original, serialised.Bytes.ToArray())
            ? null
            : $"the serialised document differs from the original:\n{serialised}";
    }

    /// <summary>Round trip by the type a media type names.</summary>
    public static string? RoundTripProblem(byte[] original, MediaType mediaType) =>
        mediaType.IsManifest ? RoundTripProblem<ImageManifest>(original)
        : mediaType.IsIndex ? RoundTripProblem<ImageIndex>(original)
        : mediaType.IsConfig ? RoundTripProblem<ImageConfigFile>(original)
        : mediaType == MediaType.OciDescriptor ? RoundTripProblem<Descriptor>(original)
        : mediaType == MediaType.OciLayoutHeader ? RoundTripProblem<OciLayoutHeader>(original)
        : throw new ArgumentException($"no document type for {mediaType}", nameof(mediaType));

    /// <summary>Same JSON, ignoring member order and members whose value is null.</summary>
    public static bool JsonEquivalent(byte[] left, byte[] right) =>
        JsonNode.DeepEquals(WithoutNulls(JsonNode.Parse(left)), WithoutNulls(JsonNode.Parse(right)));

    /// <summary>Serialises the way Go's <c>json.MarshalIndent(v, "", "   ")</c> does, for distribution's fixtures.</summary>
    public static byte[] SerializeGoIndented<T>(T value)
        where T : class, IOciDocument<T>
    {
        var options = OciJson.WriterOptions with { Indented = true, IndentSize = 3, NewLine = "\n" };
        return OciJson.SerializeToUtf8Bytes(value, T.JsonTypeInfo, options);
    }

    private static JsonNode? WithoutNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    obj.Remove(name);
                }

                foreach (var (_, child) in obj)
                {
                    WithoutNulls(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    WithoutNulls(child);
                }

                break;
        }

        return node;
    }
}
