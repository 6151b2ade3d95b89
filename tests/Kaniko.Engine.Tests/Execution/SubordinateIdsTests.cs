using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>
/// Reading subordinate id ranges (the table <c>TestData/Execution/subid-ranges.tsv</c>), pairing the two files, and
/// counting the ids a user namespace maps.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SubordinateIdsTests
{
    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            var path = Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", "Execution", "subid-ranges.tsv");
            foreach (var line in File.ReadAllLines(path).Where(l => !l.StartsWith('#')))
            {
                var cells = line.Split('\t');
                data.Add(cells[0].Replace("\\r", "\r", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal), cells[1]);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Finds_the_first_range_of_the_user_by_name_or_uid(string content, string expected)
    {
        if (expected.StartsWith("KANIKO", StringComparison.Ordinal))
        {
            var error = Assert.Throws<KanikoException>(() => SubordinateIds.FirstRange(content, "/etc/subuid", "builder", 1500));
            Assert.Equal(expected, error.Code.ToString());
            Assert.StartsWith("/etc/subuid:", error.Detail, StringComparison.Ordinal);
            return;
        }

        var range = SubordinateIds.FirstRange(content, "/etc/subuid", "builder", 1500);

        Assert.Equal(expected, range is null ? "none" : $"{range.Start}:{range.Count}");
    }

    [Fact]
    public void A_range_in_one_file_only_is_an_error_naming_both_files()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.Combine("subuid"), "builder:100000:65536\n");
        File.WriteAllText(folder.Combine("subgid"), "other:100000:65536\n");

        var error = Assert.Throws<KanikoException>(() => UserNamespaceMapping.Read("builder", 1500, folder.Combine("subuid"), folder.Combine("subgid")));

        Assert.Equal(DiagnosticCodes.RootlessIdRangesInvalid, error.Code);
        Assert.Equal($"user builder has a range in {folder.Combine("subuid")} but none in {folder.Combine("subgid")}: give it ranges in both files, or in neither to build with one mapped id", error.Detail);
    }

    [Fact]
    public void Ranges_in_both_files_give_as_many_ids_as_the_smaller_range_and_missing_files_give_none()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(folder.Combine("subuid"), "builder:100000:65536\n");
        File.WriteAllText(folder.Combine("subgid"), "1500:300000:1000\n");

        var mapping = UserNamespaceMapping.Read("builder", 1500, folder.Combine("subuid"), folder.Combine("subgid"));
        var none = UserNamespaceMapping.Read("builder", 1500, folder.Combine("missing-a"), folder.Combine("missing-b"));

        Assert.True(mapping.HasRanges);
        Assert.Equal(1000u, mapping.IdCount);
        Assert.False(none.HasRanges);
        Assert.Equal(1u, none.IdCount);
    }

    [Theory]
    [InlineData("         0          0 4294967295\n", null)]
    [InlineData("         0       1001          1\n         1     100000      65535\n", 65536L)]
    [InlineData("      1000       1000          1\n", 1L)]
    [InlineData("", 0L)]
    public void Counts_the_ids_a_uid_map_maps(string uidMap, long? expected)
    {
        Assert.Equal(expected, UserNamespaceIds.Count(uidMap));
    }
}
