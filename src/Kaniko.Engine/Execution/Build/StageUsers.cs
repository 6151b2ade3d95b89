using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Execution.Add;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The stage's user database, for <c>--chown</c> and <c>WORKDIR</c> owners: <c>/etc/passwd</c> and <c>/etc/group</c>
/// of its root filesystem when a step made one (a <c>RUN</c> may have added users), else read from its layers, top first.
/// </summary>
internal static class StageUsers
{
    private const string PasswdPath = "/etc/passwd";
    private const string GroupPath = "/etc/group";

    /// <summary>Reads the user database of <paramref name="run"/> as it is now.</summary>
    /// <remarks>Layers are read again only when a layer was added since the last read (it may have changed them).</remarks>
    public static async Task<IUserDatabase> ReadAsync(StageRun run, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsLinux() && run.RootFs is { IsMaterialised: true } rootFs)
        {
            await rootFs.SyncAsync(run.Layers, index: false, cancellationToken).ConfigureAwait(false);
            var passwd = ReadIfFile(rootFs.RootFs.Resolve(PasswdPath));
            var group = ReadIfFile(rootFs.RootFs.Resolve(GroupPath));
            return new EtcUserDatabase(() => passwd, () => group);
        }

        if (run.Etc is not { } etc || etc.LayerCount != run.Layers.Count)
        {
            var files = await LayerFileReader.ReadAsync(run.Layers, [PasswdPath, GroupPath], cancellationToken).ConfigureAwait(false);
            etc = new EtcFiles(run.Layers.Count, files[PasswdPath], files[GroupPath]);
            run.Etc = etc;
        }

        return new EtcUserDatabase(() => etc.Passwd, () => etc.Group);
    }

    private static byte[]? ReadIfFile(string hostPath) => File.Exists(hostPath) ? File.ReadAllBytes(hostPath) : null;
}
