using System.Globalization;
using System.Text;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Copy;

/// <summary>
/// Resolves a <c>COPY</c> or <c>ADD</c> from the build context into the <see cref="CopyItem"/>s it writes, with
/// BuildKit's semantics (<c>dockerfile2llb</c>'s <c>dispatchCopy</c>, the file operation's copy, and
/// <c>fsutil/copy</c>): the destination is read from the working directory and is a directory when it ends in
/// <c>/</c> or <c>/.</c> or already is one; a directory source copies its contents; a file copied to a path that is
/// not a directory takes that name; wildcards follow Go's <c>filepath.Match</c> and may match nothing; symbolic
/// links named as sources (or matched by a wildcard) are followed, those inside a copied directory are copied as
/// links; <c>--exclude</c> and <c>--parents</c> filter what a directory copy walks.
/// One cohesive algorithm, kept in one file on purpose: the copy rules decide together what each source becomes.
/// </summary>
internal static class CopyPlanner
{
    private static readonly UnixFileMode DefaultDirectoryMode = (UnixFileMode)0x1ED;
    private static readonly UnixFileMode InlineFileMode = (UnixFileMode)0x1A4;

    /// <summary>Plans the copy of <paramref name="request"/> from <paramref name="context"/>.</summary>
    /// <exception cref="KanikoException">A source is missing or outside the context, a flag value is invalid, or a
    /// source is remote; located at the instruction.</exception>
    public static CopyPlan Plan(IBuildContext context, CopyRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Plan(BuildContextTree.Load(context), request);
    }

    /// <summary>Plans the copy of <paramref name="request"/> from a context read once with <see cref="BuildContextTree.Load"/>.</summary>
    /// <exception cref="KanikoException">A source is missing or outside the context, a flag value is invalid, or a
    /// source is remote; located at the instruction.</exception>
    public static CopyPlan Plan(BuildContextTree context, CopyRequest request)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return new Builder(context, request).Run();
        }
        catch (KanikoException e) when (request.Range is { } range)
        {
            throw e.WithRangeIfMissing(range);
        }
    }

    private sealed class Builder
    {
        private readonly BuildContextTree _tree;
        private readonly CopyRequest _request;
        private readonly List<CopyItem> _items = [];
        private readonly List<BuildWarning> _warnings = [];
        private readonly Dictionary<ContainerPath, bool> _placed = [];
        private readonly HashSet<ContainerPath> _createdDirectories = [];
        private ChmodSpec? _chmod;
        private CopyOwner _owner;
        private DockerIgnoreMatcher? _exclude;
        private ContainerPath _destination;

        // BuildKit runs one copier per source (per wildcard match): its map of source inodes to their first
        // destination lives as long as that one copy, so links are kept within a source and never across two.
        private Dictionary<string, int> _sourceLinks = new(StringComparer.Ordinal);
        private int _linkGroups;

        public Builder(BuildContextTree tree, CopyRequest request)
        {
            _tree = tree;
            _request = request;
        }

        public CopyPlan Run()
        {
            _chmod = string.IsNullOrEmpty(_request.Chmod) ? null : ChmodSpec.Parse(_request.Chmod);
            _owner = string.IsNullOrEmpty(_request.Chown)
                ? CopyOwner.Root
                : ChownSpec.Parse(_request.Chown).Resolve(_request.Users, _request.Range);
            _exclude = _request.Excludes.Count == 0 ? null : CompilePatterns(_request.Excludes);

            // dispatchCopy keeps a trailing "/" (or "/.") through pathRelativeToWorkingDir; "" and "." mean the
            // working directory itself, as a directory.
            var written = _request.Destination;
            var isDirectory = written.Length == 0 || written == "." || written.EndsWith('/') || written.EndsWith("/.", StringComparison.Ordinal);
            _destination = _request.WorkingDirectory.Resolve(written);
            _destination = _request.ResolveDestination?.Invoke(_destination) ?? _destination;
            MarkCreated(isDirectory ? _destination : _destination.Parent);

            foreach (var source in _request.SourcePaths)
            {
                if (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    // ADD's URLs are fetched by the stage (RemoteAddSources), never planned as context paths.
                    throw _request.IsAdd
                        ? new InvalidOperationException("ADD URL sources are fetched before planning: " + source)
                        : new KanikoException(DiagnosticCodes.CopyUrlSource, Strings.CopyUrlSource);
                }

                if (_request.Parents)
                {
                    PlanWithParents(source);
                }
                else
                {
                    PlanSource(source, source, include: null, requiredPath: null);
                }
            }

            foreach (var inline in _request.InlineSources)
            {
                var target = IsDirectory(_destination) ? _destination.Append(inline.Path) : _destination;
                Add(new CopyItem
                {
                    Kind = CopyItemKind.Inline,
                    Source = inline.Path,
                    Destination = target,
                    Mode = _chmod?.Apply(InlineFileMode, isDirectory: false) ?? InlineFileMode,
                    Owner = _owner,
                    ModificationTime = _request.CreatedTime,
                    Content = inline.Data,
                    Size = Encoding.UTF8.GetByteCount(inline.Data),
                });
            }

            // BuildKit makes the missing destination directories with MkdirAll(0755) before copying: --chmod changes
            // what is copied, never those (a 0644 there would make /app untraversable).
            return new CopyPlan(_destination, isDirectory, WithoutLoneLinks(_items), DefaultDirectoryMode, _owner, _warnings)
            {
                OwnerGiven = !string.IsNullOrEmpty(_request.Chown),
            };
        }

        // A file whose other links were not copied by the same source is an ordinary file.
        private static List<CopyItem> WithoutLoneLinks(List<CopyItem> items)
        {
            var sizes = items.Where(i => i.LinkGroup is not null).CountBy(i => i.LinkGroup!.Value).ToDictionary(g => g.Key, g => g.Value);
            return [.. items.Select(i => i.LinkGroup is { } group && sizes[group] < 2 ? i with { LinkGroup = null } : i)];
        }

        // The item of a file met inside a copied directory, in the link group of the files before it that share its
        // inode (BuildKit's getLinkSource).
        private CopyItem Linked(CopyItem item)
        {
            if (item.Kind != CopyItemKind.File || _tree.HardLinkKey(item.Source) is not { } key)
            {
                return item;
            }

            if (!_sourceLinks.TryGetValue(key, out var group))
            {
                _sourceLinks[key] = group = ++_linkGroups;
            }

            return item with { LinkGroup = group };
        }

        // --parents: the part after "/./" (or the whole path) is matched below the part before it (or the root),
        // and the directories on the way are kept. A path without wildcards must exist.
        private void PlanWithParents(string source)
        {
            var pivot = source.IndexOf("/./", StringComparison.Ordinal);
            var parent = pivot < 0 ? "/" : source[..pivot];
            var pattern = ContainerPath.Parse(pivot < 0 ? source : source[(pivot + 3)..]).Value.TrimStart('/');
            string? required = null;
            if (!GoFileMatch.HasWildcards(parent) && !GoFileMatch.HasWildcards(pattern))
            {
                required = ContainerPath.Parse(parent).Append(pattern).Value;
            }

            PlanSource(source, parent, pattern.Length == 0 ? null : CompilePatterns([pattern]), required);
        }

        private void PlanSource(string written, string source, DockerIgnoreMatcher? include, string? requiredPath)
        {
            var cleaned = ContainerPath.Parse(source);
            var climbs = ClimbsAboveRoot(source);
            if (requiredPath is not null && _tree.Resolve(requiredPath.TrimStart('/'), followFinalLink: true, out var requiredLink) is null)
            {
                throw NotFound(written, requiredPath, climbs, requiredLink);
            }

            foreach (var match in Matches(written, cleaned, climbs))
            {
                var resolved = _tree.Resolve(match, followFinalLink: true, out var link)
                    ?? throw NotFound(written, "/" + match, climbs, link);
                var entry = _tree.Get(resolved)!;
                var unpack = _request.IsAdd && (_request.Unpack ?? true);
                if (entry.Kind == ContextEntryKind.Directory)
                {
                    // The destination becomes (or stays) the directory the contents go into; when BuildKit creates
                    // it, it gets the created-directory mode, and the source directory's time.
                    Add(new CopyItem
                    {
                        Kind = CopyItemKind.Directory,
                        Source = resolved.Length == 0 ? "." : resolved,
                        Destination = _destination,
                        Mode = _chmod?.OctalMode ?? DefaultDirectoryMode,
                        Owner = _owner,
                        ModificationTime = _request.CreatedTime ?? (resolved.Length == 0 ? null : entry.ModificationTime),
                    });
                    _sourceLinks = new Dictionary<string, int>(StringComparer.Ordinal);
                    CopyTree(resolved, string.Empty, _destination, include, null, null, []);
                }
                else
                {
                    var name = match.Length == 0 ? string.Empty : match[(match.LastIndexOf('/') + 1)..];
                    var target = IsDirectory(_destination) ? _destination.Append(name) : _destination;
                    Add(ItemFor(entry, target) with { UnpackIfArchive = unpack });
                }
            }
        }

        // The context paths a source names: itself, or what its wildcard matches (BuildKit's ResolveWildcards: the
        // part before the first wildcard component is resolved with links followed, then walked without following
        // links, a matched directory not entered).
        private List<string> Matches(string written, ContainerPath cleaned, bool climbs)
        {
            var parts = cleaned.Value.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var first = Array.FindIndex(parts, GoFileMatch.HasWildcards);
            if (first < 0)
            {
                return [string.Join('/', parts)];
            }

            var prefix = string.Join('/', parts[..first]);
            var pattern = string.Join('/', parts[first..]);
            var basePath = _tree.Resolve(prefix, followFinalLink: true, out var link)
                ?? throw NotFound(written, "/" + prefix, climbs, link);
            var matches = new List<string>();
            Walk(basePath, string.Empty);
            return matches;

            void Walk(string directory, string relative)
            {
                foreach (var child in _tree.Children(directory))
                {
                    var name = child.Path[(child.Path.LastIndexOf('/') + 1)..];
                    var childRelative = relative.Length == 0 ? name : relative + "/" + name;
                    if (GoFileMatch.IsMatch(pattern, childRelative))
                    {
                        matches.Add(child.Path);
                    }
                    else if (child.Kind == ContextEntryKind.Directory)
                    {
                        Walk(child.Path, childRelative);
                    }
                }
            }
        }

        // fsutil's copier: entries in name order; an entry excluded (or not included, with --parents) is skipped,
        // but a directory is still entered when an exception or an include pattern could bring back something
        // below it, and is then created only once something below it is copied.
        private void CopyTree(string directory, string relative, ContainerPath target, DockerIgnoreMatcher? include,
            DockerIgnoreMatcher.MatchState? includeState, DockerIgnoreMatcher.MatchState? excludeState, List<CopyItem> pendingParents)
        {
            foreach (var child in _tree.Children(directory))
            {
                var name = child.Path[(child.Path.LastIndexOf('/') + 1)..];
                var childRelative = relative.Length == 0 ? name : relative + "/" + name;
                var included = true;
                DockerIgnoreMatcher.MatchState? childInclude = null, childExclude = null;
                if (include is not null)
                {
                    childInclude = include.Evaluate(childRelative, includeState);
                    included = childInclude.IsExcluded;
                }

                if (_exclude is not null)
                {
                    childExclude = _exclude.Evaluate(childRelative, excludeState);
                    included &= !childExclude.IsExcluded;
                }

                if (!included && include is null && !(_exclude?.HasExceptions ?? false))
                {
                    continue;
                }

                var item = ItemFor(child, target.Append(name));
                if (child.Kind != ContextEntryKind.Directory)
                {
                    if (included)
                    {
                        FlushParents(pendingParents);
                        Add(Linked(item));
                    }

                    continue;
                }

                if (included)
                {
                    FlushParents(pendingParents);
                    Add(item);
                    CopyTree(child.Path, childRelative, item.Destination, include, childInclude, childExclude, pendingParents);
                }
                else
                {
                    pendingParents.Add(item);
                    CopyTree(child.Path, childRelative, item.Destination, include, childInclude, childExclude, pendingParents);
                    pendingParents.Remove(item);
                }
            }
        }

        private void FlushParents(List<CopyItem> pendingParents)
        {
            foreach (var parent in pendingParents)
            {
                Add(parent);
            }

            pendingParents.Clear();
        }

        private CopyItem ItemFor(ContextEntry entry, ContainerPath target)
        {
            var kind = entry.Kind switch
            {
                ContextEntryKind.Directory => CopyItemKind.Directory,
                ContextEntryKind.SymbolicLink => CopyItemKind.SymbolicLink,
                _ => CopyItemKind.File,
            };
            return new CopyItem
            {
                Kind = kind,
                Source = entry.Path,
                Destination = target,
                Mode = kind == CopyItemKind.SymbolicLink || _chmod is null
                    ? entry.Mode
                    : _chmod.Apply(entry.Mode, kind == CopyItemKind.Directory),
                Owner = _owner,
                ModificationTime = _request.CreatedTime ?? entry.ModificationTime,
                LinkTarget = entry.LinkTarget,
                Size = kind == CopyItemKind.File ? entry.Size : 0,
            };
        }

        private void Add(CopyItem item)
        {
            _items.Add(item);
            _placed[item.Destination] = item.Kind == CopyItemKind.Directory;
            MarkCreated(item.Destination.Parent);
        }

        private void MarkCreated(ContainerPath directory)
        {
            for (var path = directory; _createdDirectories.Add(path) && !path.IsRoot; path = path.Parent)
            {
            }
        }

        // What BuildKit's stat of the destination would find: what this copy wrote there so far, else the stage.
        private bool IsDirectory(ContainerPath path) =>
            _placed.TryGetValue(path, out var isDirectory)
                ? isDirectory
                : _createdDirectories.Contains(path) || (_request.IsExistingDirectory?.Invoke(path) ?? false);

        private KanikoException NotFound(string written, string path, bool climbs, string? link)
        {
            if (link is not null)
            {
                var target = _tree.Get(link)?.LinkTarget ?? string.Empty;
                return new KanikoException(DiagnosticCodes.CopySourceSymlinkOutsideContext,
                    string.Format(CultureInfo.InvariantCulture, Strings.CopySourceSymlinkOutsideContext, written, link, target));
            }

            return climbs
                ? new KanikoException(DiagnosticCodes.CopySourceOutsideContext,
                    string.Format(CultureInfo.InvariantCulture, Strings.CopySourceOutsideContext, written, ContainerPath.Parse(path).Value))
                : new KanikoException(DiagnosticCodes.CopySourceNotFound,
                    string.Format(CultureInfo.InvariantCulture, Strings.CopySourceNotFound, ContainerPath.Parse(path).Value));
        }

        private static bool ClimbsAboveRoot(string path)
        {
            var depth = 0;
            foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "..")
                {
                    if (--depth < 0)
                    {
                        return true;
                    }
                }
                else if (part != ".")
                {
                    depth++;
                }
            }

            return false;
        }

        private static DockerIgnoreMatcher CompilePatterns(IReadOnlyList<string> patterns)
        {
            try
            {
                return DockerIgnoreMatcher.Parse(Encoding.UTF8.GetBytes(string.Join('\n', patterns)), "--exclude");
            }
            catch (KanikoException e)
            {
                throw new KanikoException(DiagnosticCodes.InvalidCopyPattern,
                    string.Format(CultureInfo.InvariantCulture, Strings.InvalidCopyPattern, string.Join(' ', patterns), e.Detail), null, e);
            }
        }
    }
}
