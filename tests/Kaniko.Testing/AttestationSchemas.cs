using System.Text.Json;
using Json.Schema;

namespace Kaniko.Testing;

/// <summary>
/// Validates attestations against JSON schemas written for these tests from the specifications (SPDX 2.3, CycloneDX
/// 1.6, in-toto Statement v1, SLSA Provenance v1; see <c>Schemas/</c>): the official schema files cannot be fetched into the
/// repository, so these encode the specs' required fields, types, value sets and patterns.
/// </summary>
public static class AttestationSchemas
{
    private static readonly Lazy<JsonSchema> Spdx = new(() => Load("spdx-2.3.json"));
    private static readonly Lazy<JsonSchema> Statement = new(() => Load("in-toto-statement-v1.json"));
    private static readonly Lazy<JsonSchema> Provenance = new(() => Load("slsa-provenance-v1.json"));
    private static readonly Lazy<JsonSchema> CycloneDx = new(() => Load("cyclonedx-1.6.json"));

    /// <summary>The errors of <paramref name="statement"/> as an in-toto statement and of its SPDX predicate; empty when valid.</summary>
    public static IReadOnlyList<string> SpdxStatementErrors(JsonElement statement) =>
        [.. Errors(Statement.Value, statement), .. Errors(Spdx.Value, statement.GetProperty("predicate"))];

    /// <summary>The errors of <paramref name="statement"/> as an in-toto statement and of its SLSA predicate; empty when valid.</summary>
    public static IReadOnlyList<string> ProvenanceStatementErrors(JsonElement statement) =>
        [.. Errors(Statement.Value, statement), .. Errors(Provenance.Value, statement.GetProperty("predicate"))];

    /// <summary>The errors of <paramref name="statement"/> as an in-toto statement and of its CycloneDX 1.6 predicate; empty when valid.</summary>
    public static IReadOnlyList<string> CycloneDxStatementErrors(JsonElement statement) =>
        [.. Errors(Statement.Value, statement), .. Errors(CycloneDx.Value, statement.GetProperty("predicate"))];

    private static JsonSchema Load(string name)
    {
        using var stream = typeof(AttestationSchemas).Assembly.GetManifestResourceStream("Schemas." + name)
            ?? throw new InvalidOperationException("schema resource missing: " + name);
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    }

    private static IEnumerable<string> Errors(JsonSchema schema, JsonElement instance)
    {
        var result = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        return result.IsValid
            ? []
            : (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"));
    }
}
