using Kaniko.Engine.Context;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine;

/// <summary>
/// Turns the facade's settings into the options of the layers that use them. The facade's types are what hosts see;
/// each layer keeps its own option type, so no layer depends on the facade and the hosts depend on no layer.
/// </summary>
internal static class RequestMapping
{
    public static SandboxKind ToSandboxKind(this IsolationKind kind) => kind switch
    {
        IsolationKind.Bubblewrap => SandboxKind.Bubblewrap,
        IsolationKind.Chroot => SandboxKind.Chroot,
        IsolationKind.None => SandboxKind.None,
        _ => SandboxKind.Automatic,
    };

    public static SnapshotMode ToSnapshotMode(this SnapshotKind kind) => kind switch
    {
        SnapshotKind.Full => SnapshotMode.Full,
        SnapshotKind.Time => SnapshotMode.Time,
        _ => SnapshotMode.Redo,
    };

    public static IReadOnlyList<SecretSource> ToSources(this IReadOnlyList<BuildSecret> secrets) => [.. secrets.Select(s => s.Source)];

    public static IReadOnlyList<SshSource> ToSources(this IReadOnlyList<SshAgent> agents) => [.. agents.Select(a => a.Source)];

    public static IReadOnlyList<IRemoteContextSource> ToSources(this IReadOnlyList<IRemoteContextStore> stores) =>
        [.. stores.Select(s => (IRemoteContextSource)new RemoteContextStoreSource(s))];
}
