using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Tests.Planning;

public class PlatformSpecTests
{
    [Theory]
    [InlineData("linux/amd64", "linux/amd64")]
    [InlineData("linux/x86_64", "linux/amd64")]
    [InlineData("Linux/AARCH64", "linux/arm64")]
    [InlineData("linux/arm64/v8", "linux/arm64")]
    [InlineData("linux/arm", "linux/arm/v7")]
    [InlineData("linux/armhf", "linux/arm/v7")]
    [InlineData("linux/arm/v6", "linux/arm/v6")]
    [InlineData("linux/i386", "linux/386")]
    [InlineData("arm64", "linux/arm64")]
    [InlineData("windows/amd64", "windows/amd64")]
    public void Parses_and_normalises(string text, string expected) => Assert.Equal(expected, PlatformSpec.Parse(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("linux//amd64")]
    [InlineData("a/b/c/d")]
    [InlineData("linux/am d64")]
    public void Rejects_malformed_platforms(string text)
    {
        var error = Assert.Throws<KanikoException>(() => PlatformSpec.Parse(text));
        Assert.Equal(DiagnosticCodes.InvalidPlatform, error.Code);
    }

    [Fact]
    public void The_current_platform_is_a_linux_platform() => Assert.Equal("linux", PlatformSpec.Current.OS);
}

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
