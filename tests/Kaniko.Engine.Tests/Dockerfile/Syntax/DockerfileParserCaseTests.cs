using Kaniko.Engine.Dockerfile.Syntax;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Dockerfile.Syntax;

/// <summary>
/// The project's own parser cases, independent of the shared conformance folder:
/// <c>TestData/Dockerfiles/&lt;case&gt;/{Dockerfile,result[,warnings.txt]}</c> and
/// <c>TestData/Dockerfiles-negative/&lt;case&gt;/{Dockerfile,error.txt}</c>.
/// </summary>
public sealed class DockerfileParserCaseTests(ITestOutputHelper output)
{
    private static string TestData => Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData");

    public static TheoryData<string> PositiveCases => Cases("Dockerfiles");

    public static TheoryData<string> NegativeCases => Cases("Dockerfiles-negative");

    [Theory]
    [MemberData(nameof(PositiveCases))]
    public void Positive_case_dumps_as_expected(string name)
    {
        var problem = ParserCaseChecks.CheckPositive(Path.Combine(TestData, "Dockerfiles", name));
        if (problem is not null)
        {
            output.WriteLine(problem);
        }

        Assert.Null(problem);
    }

    [Theory]
    [MemberData(nameof(NegativeCases))]
    public void Negative_case_fails_with_located_message(string name)
    {
        var folder = Path.Combine(TestData, "Dockerfiles-negative", name);
        var error = Assert.Throws<DockerfileSyntaxException>(() =>
            DockerfileParser.Parse(File.ReadAllBytes(Path.Combine(folder, "Dockerfile")), "Dockerfile"));

        var expectedFile = Path.Combine(folder, "error.txt");
        if (File.Exists(expectedFile))
        {
            Assert.Equal(File.ReadAllText(expectedFile).TrimEnd('\n'), error.Message);
        }
    }

    [Fact]
    public void There_are_enough_own_cases()
    {
        Assert.True(PositiveCases.Count >= 25, "at least 25 positive cases");
        Assert.True(NegativeCases.Count >= 10, "at least 10 negative cases");
    }

    private static TheoryData<string> Cases(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var directory in Directory.GetDirectories(Path.Combine(TestData, kind)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(directory));
        }

        return data;
    }
}
