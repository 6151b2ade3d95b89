using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli.Tests.Output;

public class OutputSettingsTests
{
    [Theory]
    // log format, progress, terminal, CI variable set => format, live bars
    [InlineData(null, null, true, null, "Color", true)]
    [InlineData(null, null, false, null, "Text", false)]
    [InlineData(null, null, true, "CI", "Text", false)]
    [InlineData(null, null, true, "TF_BUILD", "Text", false)]
    [InlineData(null, null, true, "GITHUB_ACTIONS", "Text", false)]
    [InlineData(null, null, true, "GITLAB_CI", "Text", false)]
    [InlineData(null, "plain", true, null, "Color", false)]
    [InlineData(null, "tty", false, null, "Text", true)]
    [InlineData("text", null, true, null, "Text", true)]
    [InlineData("color", null, false, null, "Color", false)]
    [InlineData("json", null, true, null, "Json", false)]
    [InlineData("json", "tty", true, null, "Json", false)]
    [InlineData("JSON", "AUTO", false, null, "Json", false)]
    public void Flags_terminal_and_ci_decide_the_output(string? logFormat, string? progress, bool terminal, string? ciVariable, string format, bool live)
    {
        var settings = OutputSettings.Resolve(logFormat, progress, timestamps: false, terminal, name => name == ciVariable ? "true" : null);

        Assert.Equal(Enum.Parse<LogFormat>(format), settings.Format);
        Assert.Equal(live, settings.LiveProgress);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("")]
    public void A_ci_variable_switched_off_is_not_ci(string value)
    {
        var settings = OutputSettings.Resolve(null, null, timestamps: false, outputIsTerminal: true, name => name == "CI" ? value : null);

        Assert.True(settings.LiveProgress);
    }

    [Theory]
    [InlineData("--log-format", "yaml", "--log-format must be text, color or json, not 'yaml'")]
    [InlineData("--progress", "fancy", "--progress must be auto, tty or plain, not 'fancy'")]
    public void Unknown_values_are_usage_errors(string option, string value, string message)
    {
        var error = Assert.Throws<KanikoException>(() => OutputSettings.Resolve(
            option == "--log-format" ? value : null, option == "--progress" ? value : null, false, true, _ => null));

        Assert.Equal(message, error.Detail);
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(ExitCodes.UsageError, KanikoCommandLine.Run(["build", "--no-push", option, value], output, errors));
        Assert.Contains(message, errors.ToString(), StringComparison.Ordinal);
    }
}
