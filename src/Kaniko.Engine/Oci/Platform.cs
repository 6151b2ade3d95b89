using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Oci;

/// <summary>
/// The platform an image runs on, as the OCI image index describes it: the spec says <c>architecture</c> and
/// <c>os</c> are REQUIRED and "SHOULD use, and implementations SHOULD understand, values listed in the Go Language
/// document for GOOS/GOARCH"; <c>variant</c> names a CPU variant (<c>v7</c> for ARMv7); <c>os.version</c> and
/// <c>os.features</c> are OPTIONAL. Parsing and normalisation follow containerd's <c>platforms</c> package, so that
/// <c>linux/aarch64</c>, <c>linux/arm64</c> and <c>linux/arm64/v8</c> select the same image.
/// </summary>
public sealed record Platform
{
    /// <summary>The CPU architecture, for example <c>amd64</c> or <c>arm64</c>.</summary>
    [JsonPropertyName("architecture")]
    public required string Architecture { get; init; }

    /// <summary>The operating system, for example <c>linux</c> or <c>windows</c>.</summary>
    [JsonPropertyName("os")]
    public required string Os { get; init; }

    /// <summary>The operating system version, mainly used by Windows images (<c>10.0.17763.1234</c>).</summary>
    [JsonPropertyName("os.version")]
    public string? OsVersion { get; init; }

    /// <summary>Required operating system features, for example <c>win32k</c>.</summary>
    [JsonPropertyName("os.features")]
    public IReadOnlyList<string>? OsFeatures { get; init; }

    /// <summary>The CPU variant, for example <c>v7</c> for 32-bit ARMv7 or <c>v8</c> for 64-bit ARM.</summary>
    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    /// <summary>Docker manifest lists' <c>features</c> (CPU features such as <c>sse4</c>); the OCI spec reserves it.</summary>
    [JsonPropertyName("features")]
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>Fields this model does not know, kept so that documents survive a round trip (settable because System.Text.Json fills it after construction).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>This machine's operating system and architecture (for example <c>darwin/arm64</c> on a Mac).</summary>
    public static Platform Current { get; } = DetectCurrent();

    /// <summary>
    /// What a build targets when no platform is given: Linux on this machine's architecture, as BuildKit does on
    /// macOS and Linux hosts.
    /// </summary>
    public static Platform DefaultBuildTarget { get; } = Current with { Os = "linux", OsVersion = null };

    /// <summary>
    /// Parses a specifier <c>&lt;os&gt;[(&lt;os.version&gt;)][/&lt;arch&gt;[/&lt;variant&gt;]]</c> or a bare
    /// architecture, normalising as containerd does: <c>aarch64</c> → <c>arm64</c>, <c>x86_64</c> → <c>amd64</c>,
    /// <c>armhf</c> → <c>arm/v7</c>, <c>i386</c> → <c>386</c>. A bare OS takes this machine's architecture; a bare
    /// architecture takes <c>linux</c> (images are Linux unless told otherwise). Throws <c>KANIKO3005</c>.
    /// </summary>
    public static Platform Parse(string specifier)
    {
        ArgumentNullException.ThrowIfNull(specifier);
        var parts = specifier.Split('/');
        if (parts.Length > 3)
        {
            throw Invalid(specifier, "expected os[/arch[/variant]]");
        }

        var (os, osVersion) = ParseOsComponent(specifier, parts[0]);
        for (var i = 1; i < parts.Length; i++)
        {
            if (!IsSpecifierComponent(parts[i]))
            {
                throw Invalid(specifier, $"\"{parts[i]}\" must be letters, digits, '_' or '-'");
            }
        }

        switch (parts.Length)
        {
            case 1 when KnownOperatingSystems.Contains(os):
                return Current with { Os = os, OsVersion = osVersion };
            case 1:
            {
                var (arch, variant) = NormalizeArchitecture(parts[0], null);
                if (!KnownArchitectures.Contains(arch))
                {
                    throw Invalid(specifier, "unknown operating system or architecture");
                }

                // A bare "arm" means the default ARM, so no variant is spelled out (as containerd does).
                return new Platform { Os = "linux", Architecture = arch, Variant = arch == "arm" && variant == "v7" ? null : variant };
            }

            case 2:
            {
                var (arch, variant) = NormalizeArchitecture(parts[1], null);
                return new Platform { Os = os, OsVersion = osVersion, Architecture = arch, Variant = arch == "arm" && variant == "v7" ? null : variant };
            }

            default:
            {
                // A fully written variant is kept, and arm64 spells out its default "v8" (containerd's rule).
                var (arch, variant) = NormalizeArchitecture(parts[1], parts[2]);
                if (arch == "arm64" && variant is null)
                {
                    variant = "v8";
                }

                return new Platform { Os = os, OsVersion = osVersion, Architecture = arch, Variant = variant };
            }
        }
    }

    /// <summary>
    /// The canonical form used for comparisons: lower case, architecture aliases resolved, the default variants
    /// made explicit or dropped as containerd does (<c>arm</c> → <c>arm/v7</c>, <c>arm64/v8</c> → <c>arm64</c>,
    /// <c>amd64/v1</c> → <c>amd64</c>).
    /// </summary>
    public Platform Normalize()
    {
        var os = NormalizeOs(Os);
        var (arch, variant) = NormalizeArchitecture(Architecture, Variant);
        return this with { Os = os, Architecture = arch, Variant = variant };
    }

    /// <summary>
    /// True when an image built for <paramref name="candidate"/> satisfies a request for this platform: the same
    /// normalised OS, architecture and variant (so <c>linux/arm64</c> matches an index entry <c>linux/arm64/v8</c>),
    /// the same <see cref="OsVersion"/> when this platform names one, and every <see cref="OsFeatures"/> entry this
    /// platform asks for.
    /// </summary>
    public bool Matches(Platform candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var wanted = Normalize();
        var offered = candidate.Normalize();
        return wanted.Os == offered.Os
            && wanted.Architecture == offered.Architecture
            && (wanted.Variant ?? string.Empty) == (offered.Variant ?? string.Empty)
            && (string.IsNullOrEmpty(wanted.OsVersion) || wanted.OsVersion == offered.OsVersion)
            && (wanted.OsFeatures is null || wanted.OsFeatures.All(f => offered.OsFeatures?.Contains(f) == true));
    }

    /// <summary>Field-by-field equality, comparing the lists by their contents.</summary>
    public bool Equals(Platform? other) =>
        other is not null
        && Architecture == other.Architecture
        && Os == other.Os
        && OsVersion == other.OsVersion
        && Variant == other.Variant
        && SequenceEqual(OsFeatures, other.OsFeatures)
        && SequenceEqual(Features, other.Features);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Architecture, Os, OsVersion, Variant);

    /// <summary>The specifier form, <c>os[(os.version)]/arch[/variant]</c>, for example <c>linux/arm/v7</c>.</summary>
    public override string ToString()
    {
        var os = string.IsNullOrEmpty(OsVersion) ? Os : $"{Os}({OsVersion})";
        return string.IsNullOrEmpty(Variant) ? $"{os}/{Architecture}" : $"{os}/{Architecture}/{Variant}";
    }

    private static readonly HashSet<string> KnownOperatingSystems =
    [
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd",
        "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
    ];

    private static readonly HashSet<string> KnownArchitectures =
    [
        "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64", "mips", "mipsle",
        "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64",
        "wasm",
    ];

    private static string NormalizeOs(string os)
    {
        var lower = os.ToLowerInvariant();
        return lower == "macos" ? "darwin" : lower;
    }

    private static (string Architecture, string? Variant) NormalizeArchitecture(string architecture, string? variant)
    {
        var arch = architecture.ToLowerInvariant();
        var v = string.IsNullOrEmpty(variant) ? null : variant.ToLowerInvariant();
        switch (arch)
        {
            case "i386":
                return ("386", null);
            case "x86_64" or "x86-64" or "amd64":
                return ("amd64", v == "v1" ? null : v);
            case "aarch64" or "arm64":
                return ("arm64", v switch
                {
                    "8" or "v8" or "v8.0" => null,
                    "9" or "9.0" or "v9.0" => "v9",
                    _ => v,
                });
            case "armhf":
                return ("arm", "v7");
            case "armel":
                return ("arm", "v6");
            case "arm":
                return ("arm", v switch
                {
                    null or "7" => "v7",
                    "5" or "6" or "8" => "v" + v,
                    _ => v,
                });
            default:
                return (arch, v);
        }
    }

    private static (string Os, string? OsVersion) ParseOsComponent(string specifier, string component)
    {
        var name = component;
        string? version = null;
        var open = component.IndexOf('(', StringComparison.Ordinal);
        if (open >= 0)
        {
            if (!component.EndsWith(')'))
            {
                throw Invalid(specifier, "an os.version in parentheses must close the first component");
            }

            name = component[..open];
            version = component[(open + 1)..^1];
            if (!version.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                throw Invalid(specifier, $"\"{version}\" is not a valid os.version");
            }
        }

        if (!IsSpecifierComponent(name))
        {
            throw Invalid(specifier, $"\"{name}\" must be letters, digits, '_' or '-'");
        }

        return (NormalizeOs(name), string.IsNullOrEmpty(version) ? null : version);
    }

    private static bool IsSpecifierComponent(string part) =>
        part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static KanikoException Invalid(string specifier, string reason) => new(
        DiagnosticCodes.InvalidPlatform,
        string.Format(CultureInfo.InvariantCulture, Strings.InvalidPlatform, specifier, reason));

    private static bool SequenceEqual(IReadOnlyList<string>? left, IReadOnlyList<string>? right) =>
        left is null || right is null ? left is null && right is null : left.SequenceEqual(right, StringComparer.Ordinal);

    private static Platform DetectCurrent()
    {
        var os = OperatingSystem.IsWindows() ? "windows"
            : OperatingSystem.IsMacOS() ? "darwin"
            : OperatingSystem.IsFreeBSD() ? "freebsd"
            : "linux";
        var (arch, variant) = RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => ("amd64", (string?)null),
            System.Runtime.InteropServices.Architecture.X86 => ("386", null),
            System.Runtime.InteropServices.Architecture.Arm64 => ("arm64", null),
            System.Runtime.InteropServices.Architecture.Arm => ("arm", "v7"),
            System.Runtime.InteropServices.Architecture.Armv6 => ("arm", "v6"),
            System.Runtime.InteropServices.Architecture.S390x => ("s390x", null),
            System.Runtime.InteropServices.Architecture.Ppc64le => ("ppc64le", null),
            System.Runtime.InteropServices.Architecture.LoongArch64 => ("loong64", null),
            System.Runtime.InteropServices.Architecture.RiscV64 => ("riscv64", null),
            var other => (other.ToString().ToLowerInvariant(), null),
        };
        return new Platform { Os = os, Architecture = arch, Variant = variant };
    }
}
