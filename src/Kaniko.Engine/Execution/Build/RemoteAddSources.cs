using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Add;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The remote sources of an <c>ADD</c> (see <c>docs/add-sources.md</c>): a URL is downloaded into the build's work
/// folder (checked against <c>--checksum</c>) and turned into a layer entry at the copy's destination; a git
/// repository is checked out (<c>--checksum</c> is then the expected commit, <c>--keep-git-dir</c> keeps
/// <c>.git</c>) and its content goes into the destination directory, as BuildKit copies a git source's content.
/// Both get the copy's <c>--chown</c> and <c>--chmod</c> (a download unpacked with <c>--unpack=true</c> keeps the
/// archive's own owners and modes).
/// </summary>
internal sealed class RemoteAddSources : IDisposable
{
    private readonly HttpClient _http = new();
    private readonly HttpSourceFetcher _downloads;
    private readonly GitSourceFetcher _git = new();
    private readonly ArchiveExtractor _archives;
    private readonly string _workDirectory;

    /// <summary>Fetches into <paramref name="workDirectory"/>; downloads asked to be unpacked go through <paramref name="archives"/>.</summary>
    public RemoteAddSources(string workDirectory, ArchiveExtractor archives)
    {
        _workDirectory = workDirectory ?? throw new ArgumentNullException(nameof(workDirectory));
        _archives = archives ?? throw new ArgumentNullException(nameof(archives));
        _downloads = new HttpSourceFetcher(_http);
    }

    /// <summary>Whether an <c>ADD</c> source is a URL this class downloads or a git repository it checks out.</summary>
    public static bool IsRemote(string source) => AddSources.Classify(source) is AddSourceKind.Http or AddSourceKind.Git;

    /// <summary>
    /// The entries of <paramref name="sources"/> (the remote sources of <paramref name="add"/>) at <paramref name="destination"/>,
    /// with the identity of their content for the layer cache.
    /// </summary>
    /// <param name="add">The instruction (checksum, unpack, chmod, keep-git-dir).</param>
    /// <param name="sources">The URL and git sources, as written (expanded).</param>
    /// <param name="destination">The resolved destination.</param>
    /// <param name="destinationIsDirectory">Whether a downloaded file goes inside the destination.</param>
    /// <param name="owner">The owner from <c>--chown</c> (root without it).</param>
    /// <param name="fixedTime">The reproducible time, given to every entry when set.</param>
    /// <param name="cancellationToken">Stops the fetching.</param>
    public async Task<RemoteAddContent> FetchAsync(
        AddInstruction add, IReadOnlyList<string> sources, ContainerPath destination, bool destinationIsDirectory, CopyOwner owner,
        DateTimeOffset? fixedTime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(sources);
        var chmod = add.Chmod is { } text ? ChmodSpec.Parse(text) : null;
        var entries = new List<LayerEntry>();
        var identity = new List<string>();
        try
        {
            foreach (var source in sources)
            {
                if (AddSources.Classify(source) == AddSourceKind.Git)
                {
                    var (checkout, checkedOut) = await CheckOutAsync(add, source, destination, owner, chmod, fixedTime, cancellationToken).ConfigureAwait(false);
                    entries.AddRange(checkedOut);
                    identity.Add(string.Join(' ', "git", source, "commit=" + checkout.Commit, "subdir=" + checkout.Source.Subdirectory,
                        "keep-git-dir=" + (checkout.KeepsGitDirectory ? "yes" : "no"), "into=" + destination.Value));
                    continue;
                }

                var checksum = add.Checksum is { } sum ? HttpSourceFetcher.ParseChecksum(sum) : (Digest?)null;
                var file = await _downloads.FetchAsync(source, checksum, Folder("downloads"), cancellationToken).ConfigureAwait(false);
                var downloaded = string.Join(' ', "url", source, file.Digest.ToString(),
                    "modified=" + file.ModificationTime.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (AddSources.ShouldUnpack(AddSourceKind.Http, add.Unpack) && ArchiveDetector.IsArchive(file.HostPath))
                {
                    var unpacked = await _archives.ExtractAsync(file.HostPath, destination.Value, cancellationToken).ConfigureAwait(false);
                    entries.AddRange(add.Chown is null ? unpacked : ArchiveExtractor.WithOwner(unpacked, owner));
                    identity.Add(downloaded + " unpacked-into=" + destination.Value);
                    continue;
                }

                var target = destinationIsDirectory ? destination.Value.TrimEnd('/') + "/" : destination.Value;
                var entry = Owned(file.ToLayerEntry(target), owner, chmod, fixedTime);
                entries.Add(entry);
                identity.Add(downloaded + " target=" + entry.Path);
            }
        }
        catch (KanikoException e)
        {
            throw e.WithRangeIfMissing(add.Range);
        }

        return new RemoteAddContent(entries, identity);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    // BuildKit copies a git source's content (not its folder) into the destination, which is always a directory;
    // --checksum names the commit the checkout must be, unless the URL's query already names one.
    private async Task<(GitCheckout Checkout, IEnumerable<LayerEntry> Entries)> CheckOutAsync(
        AddInstruction add, string source, ContainerPath destination, CopyOwner owner, ChmodSpec? chmod, DateTimeOffset? fixedTime,
        CancellationToken cancellationToken)
    {
        var reference = GitSourceReference.Parse(source);
        if (add.Checksum is { } commit && reference.ExpectedCommit is null)
        {
            reference = reference with { ExpectedCommit = commit };
        }

        var folder = Folder("git");
        System.IO.Directory.CreateDirectory(folder);
        var checkout = await _git.FetchAsync(reference, add.KeepGitDir ?? false, folder, cancellationToken).ConfigureAwait(false);
        return (checkout, checkout.ToLayerEntries(destination.Value).Select(e => Owned(e, owner, chmod, fixedTime)));
    }

    private string Folder(string name) => Path.Combine(_workDirectory, name);

    private static LayerEntry Owned(LayerEntry entry, CopyOwner owner, ChmodSpec? chmod, DateTimeOffset? fixedTime)
    {
        var mode = chmod is null || entry.Type == LayerEntryType.SymbolicLink ? entry.Mode : chmod.Apply(entry.Mode, entry.Type == LayerEntryType.Directory);
        return entry with
        {
            Uid = owner.Uid,
            Gid = owner.Gid,
            Mode = mode,
            ModificationTime = fixedTime ?? entry.ModificationTime,
        };
    }
}
