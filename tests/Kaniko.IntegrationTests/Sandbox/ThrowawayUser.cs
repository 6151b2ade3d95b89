using System.Globalization;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Sandbox;

/// <summary>
/// A user made for one test with <c>useradd</c> (the test process is root), with or without ranges in
/// <c>/etc/subuid</c> and <c>/etc/subgid</c>. Both files are saved first and written back byte for byte on dispose,
/// when the user is deleted. A lock file keeps two tests (of this process or another) from editing them at once.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class ThrowawayUser : IAsyncDisposable
{
    /// <summary>The first subordinate id the tests give: above the ranges useradd hands out by default on Debian.</summary>
    public const uint RangeStart = 700000;

    /// <summary>How many subordinate ids the tests give.</summary>
    public const uint RangeCount = 65536;

    private const string SubuidFile = "/etc/subuid";
    private const string SubgidFile = "/etc/subgid";
    private static readonly string LockFile = Path.Combine(Path.GetTempPath(), "kaniko-tests-subid.lock");

    private readonly FileStream _lock;
    private readonly byte[] _subuid;
    private readonly byte[] _subgid;

    private ThrowawayUser(FileStream fileLock, string name, uint uid, uint gid, byte[] subuid, byte[] subgid)
    {
        _lock = fileLock;
        Name = name;
        Uid = uid;
        Gid = gid;
        _subuid = subuid;
        _subgid = subgid;
    }

    public string Name { get; }

    public uint Uid { get; }

    public uint Gid { get; }

    /// <summary>Makes the user; with <paramref name="withRanges"/> it gets <see cref="RangeStart"/>:<see cref="RangeCount"/> in both files, else no range.</summary>
    public static async Task<ThrowawayUser> CreateAsync(bool withRanges, CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            TestRequirements.Unavailable("making a throwaway user needs root");
        }

        var useradd = TestRequirements.Executable("useradd");
        TestRequirements.Executable("userdel");
        var fileLock = await AcquireLockAsync(cancellationToken);
        try
        {
            var subuid = File.Exists(SubuidFile) ? await File.ReadAllBytesAsync(SubuidFile, cancellationToken) : [];
            var subgid = File.Exists(SubgidFile) ? await File.ReadAllBytesAsync(SubgidFile, cancellationToken) : [];
            var name = "kt" + Guid.NewGuid().ToString("N")[..10];
            await ExternalTools.RunCheckedAsync(useradd, ["--no-create-home", "--user-group", "--shell", "/bin/sh", name], cancellationToken: cancellationToken);
            var uid = uint.Parse((await ExternalTools.RunCheckedAsync("id", ["-u", name], cancellationToken: cancellationToken)).StandardOutput.Trim(), CultureInfo.InvariantCulture);
            var gid = uint.Parse((await ExternalTools.RunCheckedAsync("id", ["-g", name], cancellationToken: cancellationToken)).StandardOutput.Trim(), CultureInfo.InvariantCulture);
            var user = new ThrowawayUser(fileLock, name, uid, gid, subuid, subgid);
            // useradd may have given the user ranges of its own (SUB_UID_MIN in login.defs): start again from the saved files.
            var line = withRanges ? $"{name}:{RangeStart}:{RangeCount}\n" : string.Empty;
            await File.WriteAllBytesAsync(SubuidFile, [.. WithNewline(subuid), .. System.Text.Encoding.ASCII.GetBytes(line)], cancellationToken);
            await File.WriteAllBytesAsync(SubgidFile, [.. WithNewline(subgid), .. System.Text.Encoding.ASCII.GetBytes(line)], cancellationToken);
            return user;
        }
        catch
        {
            await fileLock.DisposeAsync();
            throw;
        }
    }

    /// <summary>Gives the user a directory of its own (for HOME, caches, outputs).</summary>
    public async Task<string> OwnDirectoryAsync(string path)
    {
        Directory.CreateDirectory(path);
        await ExternalTools.RunCheckedAsync("chown", ["-R", $"{Uid}:{Gid}", path]);
        return path;
    }

    /// <summary>Runs <paramref name="program"/> as this user (no supplementary groups), with exactly <paramref name="environment"/>.</summary>
    public Task<ToolResult> RunAsync(string program, IEnumerable<string> arguments, IEnumerable<string> environment, CancellationToken cancellationToken) =>
        ExternalTools.RunAsync(TestRequirements.Executable("setpriv"), CommandLine(program, arguments, environment), TimeSpan.FromMinutes(5), cancellationToken);

    /// <summary>The arguments of <c>setpriv</c> that run <paramref name="program"/> as this user; setpriv and env replace themselves with it.</summary>
    public IEnumerable<string> CommandLine(string program, IEnumerable<string> arguments, IEnumerable<string> environment) =>
        ["--reuid=" + Uid.ToString(CultureInfo.InvariantCulture), "--regid=" + Gid.ToString(CultureInfo.InvariantCulture), "--clear-groups", "--",
         "/usr/bin/env", "-i", .. environment, program, .. arguments];

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExternalTools.RunAsync("userdel", ["--force", Name]);
        }
        finally
        {
            await File.WriteAllBytesAsync(SubuidFile, _subuid);
            await File.WriteAllBytesAsync(SubgidFile, _subgid);
            await _lock.DisposeAsync();
        }
    }

    private static byte[] WithNewline(byte[] content) => content.Length == 0 || content[^1] == '\n' ? content : [.. content, (byte)'\n'];

    private static async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }
}
