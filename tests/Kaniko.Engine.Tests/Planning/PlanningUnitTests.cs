using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Tests.Planning;

public class BuildArgumentsTests
{
    [Fact]
    public void Values_with_and_without_equals_signs()
    {
        var environment = new Dictionary<string, string> { ["FROM_ENV"] = "e" };

        var args = BuildArguments.Parse(["A=1", "B=", "C=x=y", "FROM_ENV", "ABSENT"], n => environment.GetValueOrDefault(n));

        Assert.Equal(
            [new("A", "1"), new("B", ""), new("C", "x=y"), new KeyValuePair<string, string>("FROM_ENV", "e")],
            args);
    }

    [Fact]
    public void A_later_value_wins_but_an_absent_environment_variable_keeps_the_earlier_one()
    {
        var args = BuildArguments.Parse(["A=1", "A=2", "A"], _ => null);

        Assert.Equal([new KeyValuePair<string, string>("A", "2")], args);
    }

    [Fact]
    public void A_build_argument_needs_a_name()
    {
        var error = Assert.Throws<KanikoException>(() => BuildArguments.Parse(["=1"], _ => null));
        Assert.Equal(DiagnosticCodes.InvalidBuildArgument, error.Code);
    }
}

public class StopSignalTests
{
    [Theory]
    [InlineData("SIGTERM", true)]
    [InlineData("term", true)]
    [InlineData("SIGRTMIN+3", true)]
    [InlineData("RTMAX-1", true)]
    [InlineData("9", true)]
    [InlineData("0", false)]
    [InlineData("SIGFOO", false)]
    [InlineData("RTMIN+16", false)]
    public void Accepts_linux_signals(string signal, bool valid) => Assert.Equal(valid, StopSignals.IsValid(signal));
}
