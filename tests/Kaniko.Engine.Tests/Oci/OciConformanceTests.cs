using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Oci;

/// <summary>The shared OCI and Docker conformance documents (skipped when ../shared/conformance is absent).</summary>
public sealed class OciConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> IndexCases => OciConformance.Data(0);

    public static TheoryData<string> RoundTripCases => OciConformance.Data(1);

    public static TheoryData<string> DockerExampleCases => OciConformance.Data(2);

    public static TheoryData<string> DistributionSerializationCases => OciConformance.Data(3);

    public static TheoryData<string> HubSampleCases => OciConformance.Data(4);

    [Theory]
    [MemberData(nameof(IndexCases))]
    public void Index_file_is_valid_or_invalid_as_listed(string file) => Run(0, file);

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Valid_document_survives_a_round_trip(string file) => Run(1, file);

    [Theory]
    [MemberData(nameof(DockerExampleCases))]
    public void Docker_example_parses_with_its_media_types(string file) => Run(2, file);

    [Theory]
    [MemberData(nameof(DistributionSerializationCases))]
    public void Distribution_serialization_bytes_are_preserved(string file) => Run(3, file);

    [Theory]
    [MemberData(nameof(HubSampleCases))]
    public void Hub_sample_digest_matches(string file) => Run(4, file);

    [Fact]
    public void Summary_every_folder_passes()
    {
        if (TestPaths.ConformanceDirectory is null)
        {
            Assert.Skip(OciConformance.SkipReason);
        }

        var failures = new List<string>();
        foreach (var (folder, cases, check) in OciConformance.Folders)
        {
            var names = cases().ToList();
            var failed = names.Select(name => (name, problem: check(name))).Where(r => r.problem is not null).ToList();
            output.WriteLine($"{folder}: {names.Count - failed.Count}/{names.Count} passed");
            failures.AddRange(failed.Select(f => $"{folder}/{f.name}: {f.problem}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static void Run(int folder, string file)
    {
        if (file == OciConformance.Absent)
        {
            Assert.Skip(OciConformance.SkipReason);
        }

        var problem = OciConformance.Folders[folder].Check(file);
        Assert.True(problem is null, problem);
    }
}
