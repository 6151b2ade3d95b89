using System.Globalization;
using System.Text.Json;

namespace Kaniko.IntegrationTests.Build.Differential;

/// <summary>
/// The one list of what <c>buildah bud</c> (1.28, the peer on this machine) does differently from BuildKit, the
/// reference our engine follows, and of our own known gaps. Each entry names the case (or <c>*</c>), the compared key
/// (see <see cref="ImageView"/>) and the reason; it either drops the key on both sides or compares both values after
/// the same normalisation. Nothing else is left out.
/// </summary>
internal static class KnownDifferences
{
    // Declared first: static fields are initialised in text order, and All reads it.
    private static readonly string[] EmptyFields = ["Cmd", "Entrypoint", "OnBuild", "User", "Volumes", "ExposedPorts", "StopSignal"];

    /// <summary>Cases whose peer build reads <c>Dockerfile.buildah</c>: syntax buildah 1.28 does not know, spelled without it.</summary>
    public static readonly IReadOnlyDictionary<string, string> PeerDockerfiles = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["copy-parents"] = "COPY --parents is newer than buildah 1.28",
        ["copy-exclude"] = "COPY --exclude is newer than buildah 1.28",
        ["healthcheck-start-interval"] = "HEALTHCHECK --start-interval is newer than buildah 1.28; its Dockerfile leaves the option out",
        ["heredoc-copy"] = "buildah 1.28 does not read heredocs; its Dockerfile copies files holding the expanded heredoc text",
        ["run-heredoc-busybox"] = "buildah 1.28 does not read RUN heredocs; its Dockerfile runs the same commands inline",
        ["run-heredoc-debian"] = "buildah 1.28 does not read RUN heredocs; its Dockerfile runs the same commands inline",
        ["copy-chmod-symbolic"] = "buildah 1.28 takes only an octal --chmod; its Dockerfile gives each file the octal mode the symbolic one makes of it",
        ["copy-link-chown"] = "buildah 1.28 has no COPY --link; its Dockerfile copies the same without it (the layer's files are the same)",
        ["run-stage-name-case-busybox"] = "buildah 1.28 finds a stage only by its name as written (FROM builder after AS Builder is read as an image); its Dockerfile spells every reference as the stage is named, ours lower-cases them as BuildKit looks stages up",
        ["run-network-none-busybox"] = "buildah 1.28 has no RUN --network (\"RUN only supports the --mount flag\"); its Dockerfile drops the flag and the case only reads what is the same with and without a network",
    };

    // buildah's chroot isolation makes these to mount over and leaves them in the image when the base lacked them;
    // BuildKit removes the mount stubs it created (executor MountStubsCleaner), and so do we.
    private static readonly string[] RunMountStubs = ["/dev", "/proc", "/sys", "/run", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf"];

    public static readonly IReadOnlyList<KnownDifference> All =
    [
        .. RunMountStubs.Select(path => new KnownDifference("run-*", "fs:" + path,
            "buildah leaves the mount points of a RUN (empty /dev, /proc, /sys, /run, /etc/hosts, /etc/hostname, /etc/resolv.conf) in the image; BuildKit removes the stubs it made")),
        .. new[] { ("run-mount-bind-busybox", "/mnt"), ("run-mount-cache-busybox", "/var"), ("run-mount-cache-busybox", "/var/cache"), ("run-mount-secret-busybox", "/run/secrets") }
            .Select(c => new KnownDifference(c.Item1, "fs:" + c.Item2,
                "buildah leaves the missing parents it made for a RUN --mount target in the image; BuildKit's MountStubsCleaner (and ours) removes them when still empty")),
        new("run-mount-cache-busybox", "fs:/cache-listing",
            "buildah keeps the lock file of a sharing=locked cache (buildah-cache-lockfile) inside the cache folder, so the step lists it; BuildKit's (and our) lock lives outside the cache"),
        new("*", "config.Labels.io.buildah.version", "buildah labels every image with its own version"),
        new("*", "config.ArgsEscaped", "BuildKit sets ArgsEscaped for a shell-form CMD/ENTRYPOINT on Linux; buildah never does"),
        .. EmptyFields.Select(field => new KnownDifference("*", "config." + field,
            "buildah's Docker-format config writes an unset field as an empty value ([], {}, \"\"); BuildKit leaves it out", EmptyAsNull)),
        new("*", "config.WorkingDir", "buildah leaves WorkingDir empty when nothing set it (BuildKit writes / for scratch)", v => v is "null" or "\"\"" ? "\"/\"" : v),
        new("expose", "config.ExposedPorts", "BuildKit expands a port range into one key per port; buildah keeps the range as one key", ExpandPortRanges),
        new("busybox-app", "config.Env", "buildah moves a replaced ENV variable (PATH) to the end; BuildKit replaces it where it stands", SortJsonArray),
        new("env-replace", "config.Env", "buildah moves a replaced ENV variable to the end; BuildKit replaces it where it stands", SortJsonArray),
        new("shell-form", "config.Cmd", "buildah 1.28 ignores SHELL for a shell-form CMD; BuildKit prefixes the SHELL", v => v.Replace("[\"/bin/sh\",\"-ec\",", "[\"/bin/sh\",\"-c\",", StringComparison.Ordinal)),
        new("shell-form", "config.Entrypoint", "buildah 1.28 ignores SHELL for a shell-form ENTRYPOINT; BuildKit prefixes the SHELL", v => v.Replace("[\"/bin/sh\",\"-ec\",", "[\"/bin/sh\",\"-c\",", StringComparison.Ordinal)),
        new("healthcheck-start-interval", "config.Healthcheck", "buildah 1.28 has no --start-interval: StartInterval is left out of both, the other members compared", WithoutStartInterval),
        .. new[] { "fs:/bin/bb", "fs:/bin/busybox" }.Select(key => new KnownDifference("run-hardlinks-busybox", key, BuildahLinkReason, WithoutLinkGroup)),
        .. new[] { "fs:/usr/bin/dpkg", "fs:/usr/local/bin/dpkg-link" }.Select(key => new KnownDifference("run-hardlinks-debian", key, BuildahLinkReason, WithoutLinkGroup)),
        .. new[] { "fs:/var", "fs:/var/cache" }.Select(key => new KnownDifference("run-mount-cache-busybox", key, MountParentStubReason)),
        new("run-mount-bind-busybox", "fs:/mnt", MountParentStubReason),
        new("run-mount-secret-busybox", "fs:/run/secrets", MountParentStubReason),
        .. new[] { "fs:/work", "fs:/work/file" }.Select(key => new KnownDifference("run-mount-tmpfs-busybox", key,
            "buildah 1.28 (chroot isolation) deletes the directory a tmpfs is mounted over, with its content (over /tmp it whites out the whole " +
            "rootfs); BuildKit leaves it as it was. expected-ours.txt pins our side")),
        .. new[] { "fs:/opt/real/target.txt", "fs:/opt/real/target.txt/f.txt" }.Select(key => new KnownDifference("run-copy-through-symlink-busybox", key,
            "COPY f.txt /file-link, a link to a missing /opt/real/target.txt: BuildKit follows the link (RootPath) and writes the file at " +
            "/opt/real/target.txt; buildah makes target.txt a directory holding f.txt. expected-ours.txt pins our side")),
                .. new[] { "", "/hard", "/link", "/one", "/sub", "/sub/two" }.Select(suffix => new KnownDifference("add-tar-gzip", "fs:/chowned/payload" + suffix,
            "ADD --chown of an archive: BuildKit (since 2025, \"file: add chown to archive unpack from copy\") gives the unpacked entries the --chown " +
            "owner; buildah 1.28 keeps the archive's owners. Compared without the owner; expected-ours.txt pins our side", WithoutOwner)),
                .. new[] { "fs:/tmp", "fs:/root" }.Select(key => new KnownDifference("workdir-existing-root", key,
            "our gap: WORKDIR as root in a stage without RUN, on a registry base whose tree the stage has not read, writes the directory as 0755, so /tmp loses 1777 " +
            "and /root 0700; BuildKit's mkdir leaves an existing directory alone (knowing it needs the base layers' headers)", MaskMode)),
                new("copy-chmod", "fs:/dir", "buildah creates the destination of COPY --chmod=0700 dir /dir/ with 0755; BuildKit gives it the --chmod mode", MaskMode),
        .. new[] { ("copy-hardlinks-context", "fs:/moded"), ("copy-hardlinks-stage", "fs:/owned") }.Select(c => new KnownDifference(c.Item1, c.Item2,
            "buildah creates the destination of a COPY --chmod of a directory with 0755; BuildKit gives it the --chmod mode", MaskMode)),
    ];

    private const string MountParentStubReason =
        "buildah leaves the parent directories it created for a RUN --mount target in the image; BuildKit removes every mount stub it created";

    private const string BuildahLinkReason =
        "a RUN that hard-links a file of a lower layer: BuildKit's overlay snapshot copies the file up, so both names are in the layer and stay linked " +
        "(as ours); buildah's vfs diff writes only the new name, as a separate file";

    private static string WithoutLinkGroup(string value)
    {
        var links = value.IndexOf(" links=", StringComparison.Ordinal);
        return links < 0 ? value : value[..links];
    }

    private static string EmptyAsNull(string value) => value is "[]" or "{}" or "\"\"" ? "null" : value;

    private static string WithoutStartInterval(string value)
    {
        var members = JsonSerializer.Deserialize<SortedDictionary<string, JsonElement>>(value)!;
        members.Remove("StartInterval");
        return JsonSerializer.Serialize(members);
    }

    private static string WithoutOwner(string value) => string.Join(' ', value.Split(' ').Select((field, index) => index == 2 ? "(owner)" : field));

        private static string MaskMode(string value) => string.Join(' ', value.Split(' ').Select((field, index) => index == 1 ? "(mode)" : field));

    private static string SortJsonArray(string value) =>
        value == "null" ? value : JsonSerializer.Serialize(JsonSerializer.Deserialize<string[]>(value)!.Order(StringComparer.Ordinal).ToArray());

    private static string ExpandPortRanges(string value)
    {
        if (value == "null")
        {
            return value;
        }

        var ports = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(value)!.Keys)
        {
            var (range, protocol) = (key.Split('/')[0], key.Split('/')[1]);
            var bounds = range.Split('-').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
            for (var port = bounds[0]; port <= bounds[^1]; port++)
            {
                ports.Add(port.ToString(CultureInfo.InvariantCulture) + "/" + protocol);
            }
        }

        return string.Join(',', ports);
    }

    /// <summary>Applies the entries that concern <paramref name="caseName"/> to one side's view.</summary>
    public static SortedDictionary<string, string> Apply(string caseName, SortedDictionary<string, string> view)
    {
        var result = new SortedDictionary<string, string>(view, StringComparer.Ordinal);
        foreach (var difference in All.Where(d => d.Case == "*" || d.Case == caseName
            || (d.Case.EndsWith('*') && caseName.StartsWith(d.Case[..^1], StringComparison.Ordinal))))
        {
            if (!result.TryGetValue(difference.Key, out var value))
            {
                continue;
            }

            if (difference.Normalise is null)
            {
                result.Remove(difference.Key);
            }
            else
            {
                result[difference.Key] = difference.Normalise(value);
            }
        }

        return result;
    }
}

/// <summary>One documented difference: the case (<c>*</c> for all, <c>prefix*</c> for the cases named so), the key, why, and how both values are normalised (null: dropped).</summary>
internal sealed record KnownDifference(string Case, string Key, string Reason, Func<string, string>? Normalise = null);
