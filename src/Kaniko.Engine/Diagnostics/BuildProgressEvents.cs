namespace Kaniko.Engine.Diagnostics;

/// <summary>A step of a stage starts (the stage's <c>FROM</c> is step 1), for hosts that show progress.</summary>
/// <param name="StageNumber">The stage's position in the build, from 1.</param>
/// <param name="StageCount">How many stages the build runs.</param>
/// <param name="StepNumber">The step's position in its stage, from 1 (the <c>FROM</c>).</param>
/// <param name="StepCount">How many steps the stage has, its <c>FROM</c> included.</param>
/// <param name="Text">The step as one line, expanded.</param>
public sealed record StepStartedEvent(int StageNumber, int StageCount, int StepNumber, int StepCount, string Text) : BuildEvent
{
    /// <summary>The line kaniko-like tools print: <c>[1/2] STEP 3/5: COPY a /b</c>.</summary>
    public override string ToString() => $"[{StageNumber}/{StageCount}] STEP {StepNumber}/{StepCount}: {Text}";
}

/// <summary>One line a <c>RUN</c> step wrote, as it comes, for hosts that show the steps' output.</summary>
/// <param name="Stream">Standard output or standard error.</param>
/// <param name="Text">The line, without its line ending.</param>
public sealed record RunOutputEvent(SandboxOutputStream Stream, string Text) : BuildEvent
{
    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>Which stream of the process a line came from.</summary>
public enum SandboxOutputStream
{
    /// <summary>Standard output.</summary>
    StandardOutput,

    /// <summary>Standard error.</summary>
    StandardError,
}
