using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Whether this machine can run the programs of another platform: natively (the same architecture, or 386 on amd64)
/// or through a qemu-user handler registered with the kernel's <c>binfmt_misc</c> (an enabled
/// <c>qemu-&lt;arch&gt;</c> entry, as <c>qemu-user-binfmt</c> or <c>tonistiigi/binfmt</c> register them).
/// </summary>
internal sealed class PlatformEmulation
{
    /// <summary>Where the kernel lists the registered handlers.</summary>
    public const string DefaultBinfmtDirectory = "/proc/sys/fs/binfmt_misc";

    private readonly string _binfmtDirectory;

    /// <summary>Checks against the handlers listed in <paramref name="binfmtDirectory"/>.</summary>
    public PlatformEmulation(string binfmtDirectory = DefaultBinfmtDirectory)
    {
        _binfmtDirectory = binfmtDirectory ?? throw new ArgumentNullException(nameof(binfmtDirectory));
    }

    /// <summary>The qemu name of an OCI architecture (<c>arm64</c> → <c>aarch64</c>), the one its binfmt entry carries.</summary>
    public static string QemuArchitecture(string architecture) => architecture switch
    {
        "amd64" => "x86_64",
        "arm64" => "aarch64",
        "386" => "i386",
        "mips64le" => "mips64el",
        "mipsle" => "mipsel",
        "loong64" => "loongarch64",
        _ => architecture,
    };

    /// <summary>True when a program built for <paramref name="target"/> runs on <paramref name="build"/> directly.</summary>
    public static bool IsNative(Platform target, Platform build)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(build);
        var t = target.Normalize();
        var b = build.Normalize();
        return t.Os == b.Os && (t.Architecture == b.Architecture || (t.Architecture == "386" && b.Architecture == "amd64"));
    }

    /// <summary>True when programs of <paramref name="target"/> run here, natively or emulated.</summary>
    public bool CanRun(Platform target, Platform build) =>
        IsNative(target, build) || (target.Normalize().Os == "linux" && HasHandler(target.Normalize().Architecture));

    /// <summary>The handler entry that would run <paramref name="architecture"/>, e.g. <c>qemu-aarch64</c>.</summary>
    public static string HandlerName(string architecture) => "qemu-" + QemuArchitecture(architecture);

    private bool HasHandler(string architecture)
    {
        var entry = Path.Combine(_binfmtDirectory, HandlerName(architecture));
        try
        {
            // The first line of an entry is "enabled" or "disabled".
            using var reader = new StreamReader(entry);
            return string.Equals(reader.ReadLine()?.Trim(), "enabled", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
