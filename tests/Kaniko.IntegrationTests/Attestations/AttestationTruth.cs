using System.Security.Cryptography;
using System.Text.Json;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Attestations;

/// <summary>
/// What independent tools say an image holds, and what the attestation files say, in the same shape:
/// <c>(name, version)</c> sets of installed packages.
/// </summary>
internal static class AttestationTruth
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>The packages <c>dpkg-query</c> lists as installed in the dpkg database of an unpacked root filesystem.</summary>
    public static async Task<SortedSet<string>> DpkgQueryAsync(string rootfs)
    {
        var dpkgQuery = TestRequirements.Executable("dpkg-query");
        var result = await ExternalTools.RunCheckedAsync(
            dpkgQuery, ["--admindir=" + Path.Combine(rootfs, "var", "lib", "dpkg"), "-W", "-f=${db:Status-Status} ${Package} ${Version}\n"],
            cancellationToken: Cancellation);
        return Installed(result.StandardOutput);
    }

    /// <summary>The installed lines of <c>dpkg-query -f '${db:Status-Status} ${Package} ${Version}\n'</c> output, as <c>name version</c>.</summary>
    public static SortedSet<string> Installed(string output) => new(
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("installed ", StringComparison.Ordinal))
            .Select(l => l["installed ".Length..]),
        StringComparer.Ordinal);

    /// <summary>The statements of an attestation file (one JSON document per line).</summary>
    public static List<JsonElement> Statements(string file) =>
        [.. File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    /// <summary>The digests of the lines of an attestation file, as the layers of an attestation manifest name them.</summary>
    public static List<string> LineDigests(string file) =>
        [.. File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(l))))];

    /// <summary>The SPDX packages of an SBOM statement with the given purl type, as <c>name version</c>.</summary>
    public static SortedSet<string> SbomPackages(JsonElement statement, string purlType) => new(
        Packages(statement)
            .Where(p => Purl(p)?.StartsWith("pkg:" + purlType + "/", StringComparison.Ordinal) == true)
            .Select(p => p.GetProperty("name").GetString() + " " + p.GetProperty("versionInfo").GetString()),
        StringComparer.Ordinal);

    /// <summary>The SPDX packages of an SBOM statement.</summary>
    public static IEnumerable<JsonElement> Packages(JsonElement statement) =>
        statement.GetProperty("predicate").GetProperty("packages").EnumerateArray();

    /// <summary>A package's purl, or null.</summary>
    public static string? Purl(JsonElement package) =>
        package.TryGetProperty("externalRefs", out var refs)
            ? refs.EnumerateArray().Where(r => r.GetProperty("referenceType").GetString() == "purl").Select(r => r.GetProperty("referenceLocator").GetString()).FirstOrDefault()
            : null;
}
