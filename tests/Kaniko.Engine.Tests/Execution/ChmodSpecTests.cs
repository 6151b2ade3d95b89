using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>The <c>--chmod</c> parser and its effect on modes, from the tables in <c>TestData/Execution</c>.</summary>
public class ChmodSpecTests
{
    public static TheoryData<string, string, string, string> Changes => Table("chmod.tsv", 4);

    public static TheoryData<string, string, string, string> Invalid => Table("chmod-invalid.tsv", 2);

    [Theory]
    [MemberData(nameof(Changes))]
    public void Applies_as_BuildKit_does(string value, string before, string kind, string after)
    {
        var spec = ChmodSpec.Parse(value);

        var result = spec.Apply((UnixFileMode)Convert.ToInt32(before, 8), isDirectory: kind == "d");

        Assert.Equal(after, Convert.ToString((int)result, 8).PadLeft(4, '0'));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Rejects_with_BuildKit_message(string value, string message, string unused1, string unused2)
    {
        _ = (unused1, unused2);
        var error = Assert.Throws<KanikoException>(() => ChmodSpec.Parse(value));

        Assert.Equal(DiagnosticCodes.InvalidChmod, error.Code);
        Assert.Equal(message, error.Detail);
    }

    [Fact]
    public void Octal_values_are_marked_octal()
    {
        Assert.True(ChmodSpec.Parse("0755").IsOctal);
        Assert.Equal((UnixFileMode)0x1ED, ChmodSpec.Parse("0755").OctalMode);
        Assert.False(ChmodSpec.Parse("u+x").IsOctal);
    }

    [Fact]
    public void Empty_value_is_invalid() =>
        Assert.Equal(DiagnosticCodes.InvalidChmod, Assert.Throws<KanikoException>(() => ChmodSpec.Parse(string.Empty)).Code);

    private static TheoryData<string, string, string, string> Table(string file, int columns)
    {
        var data = new TheoryData<string, string, string, string>();
        var path = Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", "Execution", file);
        foreach (var line in File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var cells = line.Split('\t');
            Assert.Equal(columns, cells.Length);
            data.Add(cells[0], cells[1], cells.Length > 2 ? cells[2] : string.Empty, cells.Length > 3 ? cells[3] : string.Empty);
        }

        return data;
    }
}
