namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// A scope of the docker distribution token flow: <c>resourcetype:resourcename:action[,action...]</c>, for example
/// <c>repository:library/alpine:pull</c>, <c>repository:team/app:pull,push</c> or <c>registry:catalog:*</c>.
/// </summary>
internal sealed record RegistryScope
{
    /// <summary>The pull action.</summary>
    public const string Pull = "pull";

    /// <summary>The push action.</summary>
    public const string Push = "push";

    /// <summary>Creates a scope; actions are kept in the order given, without duplicates.</summary>
    public RegistryScope(string resourceType, string resourceName, IEnumerable<string> actions)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceType);
        ArgumentException.ThrowIfNullOrEmpty(resourceName);
        ArgumentNullException.ThrowIfNull(actions);
        ResourceType = resourceType;
        ResourceName = resourceName;
        Actions = actions.Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (Actions.Count == 0)
        {
            throw new ArgumentException("a scope needs at least one action", nameof(actions));
        }
    }

    /// <summary>The resource type: <c>repository</c> or <c>registry</c>.</summary>
    public string ResourceType { get; }

    /// <summary>The resource name: a repository path such as <c>library/alpine</c>, or <c>catalog</c>.</summary>
    public string ResourceName { get; }

    /// <summary>The actions, such as <c>pull</c> and <c>push</c>.</summary>
    public IReadOnlyList<string> Actions { get; }

    /// <summary>The right to list the registry's repositories.</summary>
    public static RegistryScope Catalog { get; } = new("registry", "catalog", ["*"]);

    /// <summary>The right to pull from a repository.</summary>
    public static RegistryScope RepositoryPull(string repository) => new("repository", repository, [Pull]);

    /// <summary>The right to pull from and push to a repository (a push reads too: blob checks, mounts).</summary>
    public static RegistryScope RepositoryPush(string repository) => new("repository", repository, [Pull, Push]);

    /// <summary>
    /// Parses the string form. The resource name may itself hold colons (a host with a port), so the type ends at the
    /// first colon and the actions start after the last.
    /// </summary>
    /// <exception cref="FormatException">The text has fewer than three parts.</exception>
    public static RegistryScope Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = text.IndexOf(':', StringComparison.Ordinal);
        var last = text.LastIndexOf(':');
        if (first <= 0 || last <= first + 1 || last == text.Length - 1)
        {
            throw new FormatException($"\"{text}\" is not a scope of the form type:name:actions");
        }

        return new RegistryScope(text[..first], text[(first + 1)..last], text[(last + 1)..].Split(','));
    }

    /// <summary>
    /// Merges scopes on the same resource into one (pull and push on a repository become <c>pull,push</c>) and sorts
    /// the result, so equal sets of rights give equal lists (and equal token cache keys).
    /// </summary>
    public static IReadOnlyList<RegistryScope> Normalize(IEnumerable<RegistryScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        return scopes
            .GroupBy(s => (s.ResourceType, s.ResourceName))
            .Select(g => new RegistryScope(g.Key.ResourceType, g.Key.ResourceName, g.SelectMany(s => s.Actions).Order(StringComparer.Ordinal)))
            .OrderBy(s => s.ResourceType, StringComparer.Ordinal)
            .ThenBy(s => s.ResourceName, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>True when this scope grants every action <paramref name="other"/> asks for on the same resource.</summary>
    public bool Covers(RegistryScope other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ResourceType == other.ResourceType && ResourceName == other.ResourceName
            && (Actions.Contains("*") || other.Actions.All(a => Actions.Contains(a)));
    }

    /// <summary>Value equality over type, name and actions (in order).</summary>
    public bool Equals(RegistryScope? other) =>
        other is not null && ResourceType == other.ResourceType && ResourceName == other.ResourceName && Actions.SequenceEqual(other.Actions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ResourceType, ResourceName, string.Join(',', Actions));

    /// <summary>The wire form, <c>type:name:action,action</c>.</summary>
    public override string ToString() => $"{ResourceType}:{ResourceName}:{string.Join(',', Actions)}";
}
