using Kaniko.Engine;

namespace Kaniko.Cli.Tests;

/// <summary><c>--isolation</c> and its default from <c>KANIKO_ISOLATION</c>, which the executor image sets to <c>none</c>.</summary>
public sealed class IsolationFlagTests
{
    private static IsolationKind Bind(string? environmentValue, params string[] args)
    {
        var parse = KanikoCommandLine.Create().Parse(["build", "--no-push", .. args]);
        Assert.Empty(parse.Errors);
        return BuildOptions.Bind(parse, name => name == "KANIKO_ISOLATION" ? environmentValue : null).Isolation;
    }

    [Theory]
    [InlineData(null, IsolationKind.Automatic)]
    [InlineData("", IsolationKind.Automatic)]
    [InlineData("none", IsolationKind.None)]
    [InlineData("CHROOT", IsolationKind.Chroot)]
    [InlineData("bwrap", IsolationKind.Bubblewrap)]
    public void The_environment_gives_the_default(string? environmentValue, IsolationKind expected) =>
        Assert.Equal(expected, Bind(environmentValue));

    [Fact]
    public void The_flag_wins_over_the_environment() =>
        Assert.Equal(IsolationKind.Bubblewrap, Bind("none", "--isolation", "bwrap"));

    [Fact]
    public void A_wrong_environment_value_is_a_usage_error()
    {
        var exception = Assert.Throws<Kaniko.Engine.Diagnostics.KanikoException>(() => Bind("docker"));
        Assert.Contains("'docker'", exception.Message, StringComparison.Ordinal);
    }
}
