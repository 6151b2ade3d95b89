using System.Reflection;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Diagnostics;

/// <summary>Codes are a public contract: unique, in their area's range, and documented.</summary>
public class DiagnosticCatalogTests
{
    private static readonly (string Name, DiagnosticCode Code)[] Catalog = typeof(DiagnosticCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticCode))
        .Select(f => (f.Name, (DiagnosticCode)f.GetValue(null)!))
        .ToArray();

    [Fact]
    public void Codes_are_unique()
    {
        var duplicates = Catalog.GroupBy(c => c.Code).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(c => c.Name))}");
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Every_code_is_documented_with_its_name()
    {
        var doc = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "diagnostics.md"));
        var missing = Catalog.Where(c => !doc.Contains($"| `{c.Code}` | `{c.Name}` |", StringComparison.Ordinal)).Select(c => $"{c.Code} {c.Name}");
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_message_in_the_resource_table_is_used_by_the_engine_source()
    {
        // A message nobody raises is dead text that drifts; a quick textual check keeps the table honest.
        // The MSBuild tasks keep their own messages (KANIKO6xxx) in their own table.
        var sources = string.Concat(Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, "src", "Kaniko.Engine"), "*.cs", SearchOption.AllDirectories)
            .Select(File.ReadAllText));
        var names = typeof(Strings).GetProperties(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(p => p.PropertyType == typeof(string))
            .Select(p => p.Name);
        var unused = names.Where(n => !sources.Contains("Strings." + n, StringComparison.Ordinal));
        Assert.Empty(unused);
    }
}
