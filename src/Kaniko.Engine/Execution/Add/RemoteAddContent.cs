using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Add;

/// <summary>What the remote sources of an <c>ADD</c> put into its layer, and what identifies that content for the layer cache.</summary>
/// <param name="Entries">The layer entries of the downloads and checkouts.</param>
/// <param name="CacheIdentity">
/// One line per source that, with the step's key, decides its entries: a download's URL, content digest,
/// <c>Last-Modified</c> time and target (BuildKit keys an HTTP source by file name, checksum and modification time);
/// a checkout's repository, resolved commit, folder, <c>.git</c> choice and destination (BuildKit keys a git source by
/// its commit). Times of a checkout are left out, as BuildKit leaves them out.
/// </param>
internal sealed record RemoteAddContent(IReadOnlyList<LayerEntry> Entries, IReadOnlyList<string> CacheIdentity);
