using Kaniko.Engine.Context;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;

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

    public static Execution.Build.StageRootRung ToStageRootRung(this StageRootKind kind) => kind switch
    {
        StageRootKind.Unpack => Execution.Build.StageRootRung.Unpack,
        StageRootKind.FuseOverlay => Execution.Build.StageRootRung.FuseOverlay,
        _ => Execution.Build.StageRootRung.Automatic,
    };

    public static SnapshotMode ToSnapshotMode(this SnapshotKind kind) => kind switch
    {
        SnapshotKind.Full => SnapshotMode.Full,
        SnapshotKind.Time => SnapshotMode.Time,
        _ => SnapshotMode.Redo,
    };

    /// <summary>
    /// The credentials of <paramref name="settings"/>: the default chain, or with the .NET SDK's variables offered for
    /// <paramref name="pushRegistries"/> (null means the default chain).
    /// </summary>
    public static IKeychain? Keychain(RegistrySettings settings, IReadOnlyCollection<string> pushRegistries) =>
        settings.DotnetSdkCredentials ? DotnetContainerKeychain.Chain(pushRegistries) : null;

    /// <summary>The credentials of a build: its settings', with its destinations' registries as the push registries.</summary>
    public static IKeychain? Keychain(BuildRequest request) =>
        Keychain(request.Registry, [.. request.Destinations.Select(d => ImageReference.TryParse(d, out var reference, out _) ? reference.Registry : d)]);

    /// <summary>A registry client with the request's settings and credentials.</summary>
    public static RegistryClient CreateClient(BuildRequest request) => new(request.Registry.ToOptions(), Keychain(request));

    public static IReadOnlyList<SecretSource> ToSources(this IReadOnlyList<BuildSecret> secrets) => [.. secrets.Select(s => s.Source)];

    public static IReadOnlyList<SshSource> ToSources(this IReadOnlyList<SshAgent> agents) => [.. agents.Select(a => a.Source)];

    public static IReadOnlyList<IRemoteContextSource> ToSources(this IReadOnlyList<IRemoteContextStore> stores) =>
        [.. stores.Select(s => (IRemoteContextSource)new RemoteContextStoreSource(s))];
}
