using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution;

/// <summary>What an <see cref="ImageConfigState"/> needs besides its base.</summary>
internal sealed record ConfigStateOptions
{
    /// <summary>
    /// The time written into the new history entries and the config's <c>created</c>: the build's start, or the
    /// reproducible epoch (<c>SOURCE_DATE_EPOCH</c>).
    /// </summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>The proxy build arguments (<see cref="BuildPlan.ProxyArgs"/>), given to <c>RUN</c> but never recorded.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ProxyArgs { get; init; } = [];

    /// <summary>
    /// The build arguments of the request (<see cref="PlanRequest.BuildArgs"/>; a later entry wins), which an
    /// <c>ARG</c> takes before its default when <see cref="ImageConfigState.Apply(StepPlan)"/> expands it again.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> BuildArgs { get; init; } = [];

    /// <summary>The global scope (<see cref="BuildPlan.GlobalArgs"/>), which a bare <c>ARG NAME</c> takes its value from.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> GlobalArgs { get; init; } = [];

    /// <summary>The Dockerfile's escape character (the <c>escape</c> directive), used when expanding again.</summary>
    public char EscapeToken { get; init; } = '\\';

    /// <summary>The options for the stages of <paramref name="plan"/>, built from the request it was made for.</summary>
    public static ConfigStateOptions For(BuildPlan plan, PlanRequest request, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(request);
        return new ConfigStateOptions
        {
            Created = created,
            ProxyArgs = plan.ProxyArgs,
            BuildArgs = request.BuildArgs,
            GlobalArgs = plan.GlobalArgs,
            EscapeToken = plan.EscapeToken,
        };
    }
}
