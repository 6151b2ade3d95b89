using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Oci;

/// <summary>
/// A reference to an image, <c>[registry/]repository[:tag][@digest]</c>, parsed by the distribution project's
/// reference grammar and normalised the way the Docker CLI does: no registry means Docker Hub (<c>docker.io</c>),
/// a one-component Docker Hub repository lives under <c>library/</c>, <c>index.docker.io</c> is an alias of
/// <c>docker.io</c>, and with neither tag nor digest the tag is <c>latest</c>.
/// The first path component is a registry only if it contains a <c>.</c> or <c>:</c>, is <c>localhost</c>, or has
/// upper-case letters (repositories cannot); so <c>localhost:5000/app</c> and <c>[::1]:5000/app</c> name local
/// registries while <c>team/app</c> is on Docker Hub.
/// </summary>
public sealed record ImageReference
{
    /// <summary>The registry name Docker Hub references normalise to.</summary>
    public const string DockerHubRegistry = "docker.io";

    /// <summary>The tag used when a reference has neither tag nor digest.</summary>
    public const string DefaultTag = "latest";

    // Docker Hub's legacy name; references written with it mean the same registry.
    private const string DockerHubLegacyRegistry = "index.docker.io";
    private const string OfficialRepositoryPrefix = "library/";
    private const int MaxNameLength = 255;
    private const int MaxTagLength = 128;

    private ImageReference(string registry, string repository, string? tag, Digest? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry host, with its port if any: <c>docker.io</c>, <c>localhost:5000</c>, <c>[::1]:5000</c>.</summary>
    public string Registry { get; }

    /// <summary>The repository path within the registry, for example <c>library/ubuntu</c>.</summary>
    public string Repository { get; }

    /// <summary>The tag, or null when the reference pins only a digest.</summary>
    public string? Tag { get; }

    /// <summary>The digest the reference pins, if any; when present it decides what is pulled, not the tag.</summary>
    public Digest? Digest { get; }

    /// <summary>The registry and repository, <c>docker.io/library/ubuntu</c>: where manifests and blobs live.</summary>
    public string Context => Registry + "/" + Repository;

    /// <summary>True for Docker Hub references.</summary>
    public bool IsDockerHub => Registry == DockerHubRegistry;

    /// <summary>Parses and normalises a reference; throws <c>KANIKO3001</c> naming the reference and the fault.</summary>
    public static ImageReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return TryParse(reference, out var parsed, out var reason)
            ? parsed
            : throw new KanikoException(
                DiagnosticCodes.InvalidImageReference,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidImageReference, reference, reason));
    }

    /// <summary>Parses and normalises a reference, returning false and the reason when it is invalid.</summary>
    public static bool TryParse(string? reference, [NotNullWhen(true)] out ImageReference? parsed, [NotNullWhen(false)] out string? reason)
    {
        parsed = null;
        if (string.IsNullOrEmpty(reference))
        {
            reason = "the reference is empty";
            return false;
        }

        var name = reference;
        Digest? digest = null;
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            var digestText = name[(at + 1)..];
            if (!Oci.Digest.TryParse(digestText, out var d, out var digestError))
            {
                reason = $"invalid digest \"{digestText}\": {digestError}";
                return false;
            }

            if (!d.IsSupported)
            {
                reason = $"digest algorithm \"{d.Algorithm}\" is not supported";
                return false;
            }

            digest = d;
            name = name[..at];
        }

        string? tag = null;
        var lastColon = name.LastIndexOf(':');
        if (lastColon > name.LastIndexOf('/'))
        {
            tag = name[(lastColon + 1)..];
            name = name[..lastColon];
            if (!IsValidTag(tag))
            {
                reason = $"invalid tag \"{tag}\": a tag is 1 to {MaxTagLength} letters, digits, '_', '.' or '-', not starting with '.' or '-'";
                return false;
            }
        }

        if (name.Length == 64 && name.All(char.IsAsciiHexDigitLower))
        {
            reason = "a 64-character hexadecimal string is an image ID, not a repository name";
            return false;
        }

        var (registry, repository) = SplitRegistry(name);
        if (registry is not null && !IsValidRegistry(registry))
        {
            reason = $"invalid registry \"{registry}\": expected a host name, an IPv4 address or a bracketed IPv6 address, optionally with :port";
            return false;
        }

        if (!IsValidRepository(repository, out reason))
        {
            return false;
        }

        registry ??= DockerHubRegistry;
        if (registry == DockerHubLegacyRegistry)
        {
            registry = DockerHubRegistry;
        }

        if (registry == DockerHubRegistry && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = OfficialRepositoryPrefix + repository;
        }

        if (registry.Length + 1 + repository.Length > MaxNameLength)
        {
            reason = $"the repository name must not be longer than {MaxNameLength} characters";
            return false;
        }

        if (tag is null && digest is null)
        {
            tag = DefaultTag;
        }

        parsed = new ImageReference(registry, repository, tag, digest);
        return true;
    }

    /// <summary>The same repository with another tag (and no digest).</summary>
    public ImageReference WithTag(string tag) =>
        IsValidTag(tag)
            ? new ImageReference(Registry, Repository, tag, null)
            : throw new KanikoException(
                DiagnosticCodes.InvalidImageReference,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidImageReference, Context + ":" + tag, "invalid tag"));

    /// <summary>The same repository pinned to <paramref name="digest"/> (and no tag).</summary>
    public ImageReference WithDigest(Digest digest) => new(Registry, Repository, null, digest);

    /// <summary>The fully qualified form, for example <c>docker.io/library/ubuntu:latest</c> or <c>…@sha256:…</c>.</summary>
    public override string ToString() =>
        Context + (Tag is null ? string.Empty : ":" + Tag) + (Digest is { } d ? "@" + d : string.Empty);

    /// <summary>
    /// The short form the Docker CLI shows: Docker Hub's registry and <c>library/</c> prefix dropped
    /// (<c>ubuntu:latest</c>, <c>team/app:1</c>), other registries kept.
    /// </summary>
    public string ToFamiliarString()
    {
        var repository = Repository;
        if (IsDockerHub)
        {
            if (repository.StartsWith(OfficialRepositoryPrefix, StringComparison.Ordinal)
                && repository.IndexOf('/', OfficialRepositoryPrefix.Length) < 0)
            {
                repository = repository[OfficialRepositoryPrefix.Length..];
            }
        }
        else
        {
            repository = Registry + "/" + repository;
        }

        return repository + (Tag is null ? string.Empty : ":" + Tag) + (Digest is { } d ? "@" + d : string.Empty);
    }

    private static (string? Registry, string Repository) SplitRegistry(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (null, name);
        }

        var first = name[..slash];
        var isRegistry = first.Contains('.', StringComparison.Ordinal)
            || first.Contains(':', StringComparison.Ordinal)
            || first == "localhost"
            || first.Any(char.IsAsciiLetterUpper);
        return isRegistry ? (first, name[(slash + 1)..]) : (null, name);
    }

    private static bool IsValidRegistry(string registry)
    {
        var host = registry;
        if (registry.StartsWith('['))
        {
            var close = registry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            var address = registry[1..close];
            if (address.Length == 0 || !address.All(c => char.IsAsciiHexDigit(c) || c == ':'))
            {
                return false;
            }

            var rest = registry[(close + 1)..];
            return rest.Length == 0 || IsPort(rest);
        }

        var colon = registry.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (!IsPort(registry[colon..]))
            {
                return false;
            }

            host = registry[..colon];
        }

        // domain-component ('.' domain-component)*, which also covers dotted IPv4 addresses.
        return host.Length > 0 && host.Split('.').All(IsDomainComponent);
    }

    private static bool IsPort(string text) => text.Length > 1 && text[0] == ':' && !text.AsSpan(1).ContainsAnyExceptInRange('0', '9');

    private static bool IsDomainComponent(string component) =>
        component.Length > 0
        && char.IsAsciiLetterOrDigit(component[0])
        && char.IsAsciiLetterOrDigit(component[^1])
        && component.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static bool IsValidRepository(string repository, [NotNullWhen(false)] out string? reason)
    {
        if (repository.Length == 0)
        {
            reason = "the repository name is empty";
            return false;
        }

        if (repository.Any(char.IsAsciiLetterUpper))
        {
            reason = "the repository name must be lower-case";
            return false;
        }

        foreach (var component in repository.Split('/'))
        {
            if (!IsPathComponent(component))
            {
                reason = component.Length == 0
                    ? "the repository name has an empty path component"
                    : $"invalid path component \"{component}\": use lower-case letters and digits, separated by '.', '_', '__' or dashes";
                return false;
            }
        }

        reason = null;
        return true;
    }

    // path-component ::= alpha-numeric (separator alpha-numeric)*, separator ::= [_.] | __ | [-]+
    private static bool IsPathComponent(string component)
    {
        var i = 0;
        while (true)
        {
            var start = i;
            while (i < component.Length && (char.IsAsciiLetterLower(component[i]) || char.IsAsciiDigit(component[i])))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }

            if (i == component.Length)
            {
                return true;
            }

            var separatorStart = i;
            while (i < component.Length && component[i] is '.' or '_' or '-')
            {
                i++;
            }

            var separator = component.AsSpan(separatorStart, i - separatorStart);
            var valid = separator is "." or "_" or "__" || !separator.ContainsAnyExcept('-');
            if (!valid)
            {
                return false;
            }
        }
    }

    private static bool IsValidTag(string tag) =>
        tag.Length is > 0 and <= MaxTagLength
        && IsWordCharacter(tag[0])
        && tag.All(c => IsWordCharacter(c) || c is '.' or '-');

    private static bool IsWordCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
