using Kaniko.Engine.Compat;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>
/// <c>HEALTHCHECK NONE</c> or <c>HEALTHCHECK [--interval=] [--timeout=] [--start-period=] [--start-interval=]
/// [--retries=] CMD command</c>. Not expanded. Durations left out are zero (the runtime's default).
/// </summary>
internal sealed record HealthcheckInstruction : Instruction
{
    /// <summary>
    /// The test as the image config stores it: <c>["NONE"]</c>, <c>["CMD", exec words...]</c> or
    /// <c>["CMD-SHELL", command]</c>.
    /// </summary>
    public required IReadOnlyList<string> Test { get; init; }

    /// <summary><c>--interval</c>, zero when not given.</summary>
    public TimeSpan Interval { get; init; }

    /// <summary><c>--timeout</c>, zero when not given.</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary><c>--start-period</c>, zero when not given.</summary>
    public TimeSpan StartPeriod { get; init; }

    /// <summary><c>--start-interval</c>, zero when not given.</summary>
    public TimeSpan StartInterval { get; init; }

    /// <summary><c>--retries</c>, zero when not given.</summary>
    public int Retries { get; init; }

    /// <summary>Whether this is <c>HEALTHCHECK NONE</c>, which disables a check inherited from the base image.</summary>
    public bool IsNone => Test is ["NONE"];

    /// <inheritdoc />
    public override string Name => InstructionNames.Healthcheck;

    /// <inheritdoc />
    public override string Format()
    {
        if (IsNone)
        {
            return Name + " NONE";
        }

        static IEnumerable<string> Duration(string name, TimeSpan value) =>
            value == TimeSpan.Zero ? [] : ["--" + name + "=" + GoDuration.Format(value)];

        var flags = Duration("interval", Interval).Concat(Duration("timeout", Timeout))
            .Concat(Duration("start-period", StartPeriod)).Concat(Duration("start-interval", StartInterval))
            .Concat(Retries == 0 ? [] : ["--retries=" + Retries.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var command = Test[0] == "CMD-SHELL" ? Test[1] : InstructionText.JsonArray(Test.Skip(1));
        return InstructionText.Line(Name, flags, ["CMD", command]);
    }
}
