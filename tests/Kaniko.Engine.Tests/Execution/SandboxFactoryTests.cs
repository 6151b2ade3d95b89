using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Sandbox;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>The isolation ladder, decided from given machine facts (nothing is run).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SandboxFactoryTests
{
    private static readonly HostToolPaths AllTools = new("/usr/bin/setsid", "/usr/bin/bwrap", "/usr/bin/setpriv", "/usr/bin/unshare", "/usr/bin/env");

    [Fact]
    public void Automatic_takes_bubblewrap_when_its_probe_succeeds()
    {
        var events = new Events();

        var sandbox = SandboxFactory.Create(SandboxKind.Automatic, events, AllTools, isRoot: false, probe: () => null);

        Assert.Equal(SandboxKind.Bubblewrap, sandbox.Kind);
        Assert.Equal(["RUN isolation: bubblewrap (namespaces, rootless: one uid mapped)"], events.Messages);
    }

    [Fact]
    public void Automatic_falls_back_to_chroot_as_root_and_says_why()
    {
        var events = new Events();

        var sandbox = SandboxFactory.Create(SandboxKind.Automatic, events, AllTools, isRoot: true, probe: () => "bwrap: Creating new namespace failed");

        Assert.Equal(SandboxKind.Chroot, sandbox.Kind);
        Assert.Contains(events.Messages, m => m.Contains("Creating new namespace failed", StringComparison.Ordinal) && m.Contains("chroot", StringComparison.Ordinal));
    }

    [Fact]
    public void Automatic_without_bwrap_or_root_fails_with_what_to_install()
    {
        var tools = AllTools with { Bwrap = null };

        var error = Assert.Throws<KanikoException>(() => SandboxFactory.Create(SandboxKind.Automatic, new Events(), tools, isRoot: false, probe: () => null));

        Assert.Equal(DiagnosticCodes.SandboxUnavailable, error.Code);
        Assert.Contains("bwrap is not installed (package bubblewrap)", error.Message, StringComparison.Ordinal);
        Assert.Contains("chroot mode needs root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Automatic_never_chooses_no_isolation()
    {
        var tools = AllTools with { Bwrap = null, Unshare = null };

        var error = Assert.Throws<KanikoException>(() => SandboxFactory.Create(SandboxKind.Automatic, new Events(), tools, isRoot: true, probe: () => null));

        Assert.Equal(DiagnosticCodes.SandboxUnavailable, error.Code);
    }

    [Fact]
    public void Asked_for_kinds_that_cannot_work_fail()
    {
        Assert.Equal(DiagnosticCodes.SandboxKindUnavailable, Assert.Throws<KanikoException>(
            () => SandboxFactory.Create(SandboxKind.Bubblewrap, new Events(), AllTools, isRoot: true, probe: () => "denied")).Code);
        Assert.Equal(DiagnosticCodes.SandboxKindUnavailable, Assert.Throws<KanikoException>(
            () => SandboxFactory.Create(SandboxKind.Chroot, new Events(), AllTools, isRoot: false, probe: () => null)).Code);
    }

    [Fact]
    public void None_is_given_when_asked_for()
    {
        var events = new Events();

        var sandbox = SandboxFactory.Create(SandboxKind.None, events, AllTools, isRoot: true, probe: () => "unused");

        Assert.Equal(SandboxKind.None, sandbox.Kind);
        Assert.Equal(["RUN isolation: none (RUN steps change / of this system)"], events.Messages);
    }

    private sealed class Events : IBuildEventSink
    {
        public List<string> Messages { get; } = [];

        public void Report(BuildEvent buildEvent)
        {
            if (buildEvent is MessageEvent message)
            {
                Messages.Add(message.Text);
            }
        }
    }
}
