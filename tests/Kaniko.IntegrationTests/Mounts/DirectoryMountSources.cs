using Kaniko.Engine.Context;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Layers;

namespace Kaniko.IntegrationTests.Mounts;

/// <summary>Mount sources for sandbox-level tests: the context and each named "stage" are plain folders.</summary>
internal sealed class DirectoryMountSources : IMountSourceProvider, IDisposable
{
    private readonly Dictionary<string, IBuildContext> _opened = new(StringComparer.Ordinal);
    private readonly string _context;
    private readonly IReadOnlyDictionary<string, string> _stages;

    public DirectoryMountSources(string context, IReadOnlyDictionary<string, string>? stages = null)
    {
        _context = context;
        _stages = stages ?? new Dictionary<string, string>();
    }

    public Task<MountSource> OpenAsync(string? from, CancellationToken cancellationToken)
    {
        var key = from ?? "";
        if (!_opened.TryGetValue(key, out var files))
        {
            files = BuildContextFactory.Open(from is null ? _context : _stages[from], null);
            _opened[key] = files;
        }

        return Task.FromResult(new MountSource(from is null ? "the build context" : "stage " + from, files, BuildContextTree.Load(files), _ => CopyOwner.Root));
    }

    public void Dispose()
    {
        foreach (var files in _opened.Values)
        {
            files.Dispose();
        }
    }
}
