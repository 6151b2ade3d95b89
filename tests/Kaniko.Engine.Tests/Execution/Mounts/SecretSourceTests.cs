using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution.Mounts;

/// <summary><c>--secret</c> parsing, from the table <c>TestData/Execution/secret-specs.tsv</c>.</summary>
public sealed class SecretSourceTests : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-secrets-");

    public SecretSourceTests()
    {
        File.WriteAllText(_directory.Combine("a.txt"), "value");
        File.WriteAllBytes(_directory.Combine("big.bin"), new byte[SecretSource.MaxSize + 1]);
    }

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            var path = Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", "Execution", "secret-specs.tsv");
            foreach (var line in File.ReadAllLines(path).Where(l => !l.StartsWith('#') && l.Length > 0))
            {
                var cells = line.Split('\t');
                data.Add(cells[0], cells[1]);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parses_as_buildx_and_BuildKit_do(string spec, string expected)
    {
        var value = spec.Replace("{dir}", _directory.Path, StringComparison.Ordinal);
        string? Environment(string name) => name == "SET_VAR" ? "set" : null;

        if (expected.StartsWith("KANIKO", StringComparison.Ordinal))
        {
            var error = Assert.Throws<KanikoException>(() => SecretSource.Parse(value, Environment));
            Assert.Equal(expected, error.Code.ToString());
            return;
        }

        var secret = SecretSource.Parse(value, Environment);
        var kind = expected[..expected.IndexOf(':', StringComparison.Ordinal)];
        var name = expected[(kind.Length + 1)..];
        Assert.Equal(kind == "file" ? _directory.Combine(name) : null, secret.FilePath);
        Assert.Equal(kind == "env" ? name : null, secret.EnvironmentVariable);
    }

    [Fact]
    public void ReadValue_ReadsTheFileOrTheVariable_WhenAsked()
    {
        var file = SecretSource.Parse("id=a,src=" + _directory.Combine("a.txt"), _ => null);
        var variable = "KANIKO_SECRET_TEST_" + Guid.NewGuid().ToString("N")[..8];
        var env = SecretSource.Parse($"id=b,env={variable}", _ => null);
        System.Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            Assert.Equal("value"u8.ToArray(), file.ReadValue());
            Assert.Equal("from-env"u8.ToArray(), env.ReadValue());
        }
        finally
        {
            System.Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void ToString_NeverShowsAValue()
    {
        var secret = SecretSource.Parse("id=a,src=" + _directory.Combine("a.txt"), _ => null);

        Assert.DoesNotContain("value", secret.ToString().Replace("FilePath", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
