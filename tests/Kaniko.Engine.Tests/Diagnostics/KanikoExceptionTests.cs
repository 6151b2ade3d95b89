using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Diagnostics;

public class KanikoExceptionTests
{
    [Fact]
    public void Message_starts_with_file_and_line_when_located()
    {
        var error = new KanikoException(DiagnosticCodes.InvalidRequest, "unknown instruction: FROBNICATE", SourceRange.Line("Dockerfile", 12));

        Assert.Equal("Dockerfile:12: unknown instruction: FROBNICATE", error.Message);
        Assert.Equal("KANIKO0002", error.Code.ToString());
    }

    [Fact]
    public void Message_is_the_detail_when_not_located()
    {
        var error = new KanikoException(DiagnosticCodes.InternalError, "boom");

        Assert.Equal("boom", error.Message);
        Assert.Null(error.Range);
    }

    [Theory]
    [InlineData(1001, DiagnosticArea.Dockerfile)]
    [InlineData(2003, DiagnosticArea.Context)]
    [InlineData(3100, DiagnosticArea.Registry)]
    [InlineData(5, DiagnosticArea.General)]
    public void Area_is_the_thousands_digit(int number, DiagnosticArea area) =>
        Assert.Equal(area, DiagnosticCode.Of(number).Area);
}
