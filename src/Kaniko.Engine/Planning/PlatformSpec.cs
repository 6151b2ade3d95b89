using System.Runtime.InteropServices;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Planning;

/// <summary>
/// A platform as <c>os/arch[/variant]</c> (for example <c>linux/arm64</c>, <c>linux/arm/v7</c>), normalised the way
/// containerd's <c>platforms.Parse</c> does: <c>x86_64</c> is <c>amd64</c>, <c>aarch64</c> is <c>arm64</c>, <c>arm</c>
/// without a variant is <c>arm/v7</c>. It feeds the automatic <c>TARGET*</c> and <c>BUILD*</c> arguments.
/// </summary>
/// <param name="OS">The operating system, for example <c>linux</c>.</param>
/// <param name="Architecture">The CPU architecture, for example <c>amd64</c>.</param>
/// <param name="Variant">The CPU variant, for example <c>v7</c>, or an empty string.</param>
public sealed record PlatformSpec(string OS, string Architecture, string Variant = "")
{
    /// <summary>
    /// The platform of this machine as a container platform. The OS is always <c>linux</c>: the images this tool
    /// builds are Linux images whatever the host runs.
    /// </summary>
    public static PlatformSpec Current { get; } = Normalize("linux", RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        var other => other.ToString().ToLowerInvariant(),
    }, "");

    /// <summary>Parses <c>os[/arch[/variant]]</c> or a bare architecture; throws <see cref="KanikoException"/> when malformed.</summary>
    public static PlatformSpec Parse(string text, SourceRange? range = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.ToLowerInvariant().Split('/');
        if (parts.Length > 3 || parts.Any(p => p.Length == 0 || p.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))))
        {
            throw new KanikoException(DiagnosticCodes.InvalidPlatform,
                string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.InvalidPlatform, text), range);
        }

        return parts.Length switch
        {
            1 when IsOperatingSystem(parts[0]) => Normalize(parts[0], Current.Architecture, Current.Variant),
            1 => Normalize("linux", parts[0], ""),
            2 => Normalize(parts[0], parts[1], ""),
            _ => Normalize(parts[0], parts[1], parts[2]),
        };
    }

    /// <summary>The <c>os/arch[/variant]</c> form.</summary>
    public override string ToString() => Variant.Length == 0 ? $"{OS}/{Architecture}" : $"{OS}/{Architecture}/{Variant}";

    private static bool IsOperatingSystem(string os) => os is "linux" or "windows" or "darwin" or "freebsd" or "netbsd" or "openbsd" or "solaris" or "illumos" or "aix" or "android" or "ios" or "plan9" or "js" or "wasip1";

    private static PlatformSpec Normalize(string os, string architecture, string variant)
    {
        os = os == "macos" ? "darwin" : os;
        (architecture, variant) = (architecture, variant) switch
        {
            ("i386", _) => ("386", ""),
            ("x86_64" or "x86-64" or "amd64", "v1") => ("amd64", ""),
            ("x86_64" or "x86-64", _) => ("amd64", variant),
            ("aarch64" or "arm64", "8" or "v8") => ("arm64", ""),
            ("aarch64", _) => ("arm64", variant),
            ("armhf", _) => ("arm", "v7"),
            ("armel", _) => ("arm", "v6"),
            ("arm", "") => ("arm", "v7"),
            ("arm", "5" or "6" or "7" or "8") => ("arm", "v" + variant),
            _ => (architecture, variant),
        };
        return new PlatformSpec(os, architecture, variant);
    }
}
