using System.Text;
using System.Text.Json;
using Kaniko.Engine.Dockerfile.Syntax;

namespace Kaniko.Engine.Tests.Dockerfile.Syntax;

/// <summary>
/// Checks one parser case folder against its expectations and says what differs (null when all agree). Shared by
/// the per-case theories and the summary, so both count the same thing.
/// </summary>
internal static class ParserCaseChecks
{
    public const string EmptyContinuationPrefix = "Empty continuation line found in: ";

    /// <summary>Dockerfile + result, and nodes.json / warnings.txt when present.</summary>
    public static string? CheckPositive(string folder)
    {
        ParseResult result;
        try
        {
            result = DockerfileParser.Parse(File.ReadAllBytes(Path.Combine(folder, "Dockerfile")), "Dockerfile");
        }
        catch (Exception error)
        {
            return "parse failed: " + error.Message;
        }

        var expected = File.ReadAllText(Path.Combine(folder, "result"), Encoding.UTF8);
        var actual = result.Dump();
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            return $"dump differs\n--- expected\n{expected}--- actual\n{actual}";
        }

        var nodesFile = Path.Combine(folder, "nodes.json");
        if (File.Exists(nodesFile) && CheckNodes(result, File.ReadAllText(nodesFile, Encoding.UTF8)) is { } nodeProblem)
        {
            return nodeProblem;
        }

        var warningsFile = Path.Combine(folder, "warnings.txt");
        if (File.Exists(warningsFile))
        {
            var expectedWarnings = File.ReadAllText(warningsFile, Encoding.UTF8)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.StartsWith(EmptyContinuationPrefix, StringComparison.Ordinal)
                    ? string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.EmptyContinuationLine, line[EmptyContinuationPrefix.Length..])
                    : line)
                .ToList();
            var actualWarnings = result.Warnings.Select(w => w.Message).ToList();
            if (!expectedWarnings.SequenceEqual(actualWarnings, StringComparer.Ordinal))
            {
                return "warnings differ\n--- expected\n" + string.Join('\n', expectedWarnings) + "\n--- actual\n" + string.Join('\n', actualWarnings);
            }
        }

        return null;
    }

    /// <summary>The Dockerfile must be rejected with a located <see cref="DockerfileSyntaxException"/>.</summary>
    public static string? CheckNegative(string folder)
    {
        try
        {
            var result = DockerfileParser.Parse(File.ReadAllBytes(Path.Combine(folder, "Dockerfile")), "Dockerfile");
            return "parsed without error:\n" + result.Dump();
        }
        catch (DockerfileSyntaxException error)
        {
            return error.Range is null || !error.Message.StartsWith("Dockerfile:", StringComparison.Ordinal)
                ? "error is not located: " + error.Message
                : null;
        }
        catch (Exception error)
        {
            return "wrong exception type: " + error;
        }
    }

    private static string? CheckNodes(ParseResult result, string json)
    {
        using var document = JsonDocument.Parse(json);
        var expected = document.RootElement.EnumerateArray().ToList();
        if (expected.Count != result.Nodes.Count)
        {
            return $"nodes.json has {expected.Count} nodes, the parser gave {result.Nodes.Count}";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            var want = expected[i];
            var node = result.Nodes[i];
            var dump = "(" + node.Dump() + ")";
            var where = $"node {i + 1} {dump}";
            if (want.GetProperty("dump").GetString() != dump)
            {
                return $"{where}: dump, expected {want.GetProperty("dump").GetString()}";
            }

            if (want.GetProperty("startLine").GetInt32() != node.StartLine || want.GetProperty("endLine").GetInt32() != node.EndLine)
            {
                return $"{where}: lines {node.StartLine}-{node.EndLine}, expected {want.GetProperty("startLine").GetInt32()}-{want.GetProperty("endLine").GetInt32()}";
            }

            var heredocs = want.GetProperty("heredocs").EnumerateArray().Select(ReadHeredoc).ToList();
            if (!heredocs.SequenceEqual(node.Heredocs))
            {
                return $"{where}: heredocs {Describe(node.Heredocs)}, expected {Describe(heredocs)}";
            }
        }

        return null;
    }

    public static Heredoc ReadHeredoc(JsonElement element) => new(
        element.GetProperty("name").GetString()!,
        element.TryGetProperty("content", out var content) ? content.GetString()! : "",
        element.GetProperty("expand").GetBoolean(),
        element.GetProperty("chomp").GetBoolean(),
        element.GetProperty("fileDescriptor").GetInt32());

    public static string Describe(IEnumerable<Heredoc> heredocs) =>
        "[" + string.Join(", ", heredocs.Select(h => $"{h.Name}|{JsonSerializer.Serialize(h.Content)}|expand={h.Expand}|chomp={h.Chomp}|fd={h.FileDescriptor}")) + "]";
}
