using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Sandbox;

/// <summary>The best sandbox this machine offers, for tests that run an image's programs from its unpacked files.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class AvailableSandbox
{
    /// <summary>Bubblewrap, else chroot mode as root; skips the test (fails it in CI) when neither can run here.</summary>
    public static ISandbox Create()
    {
        try
        {
            return SandboxFactory.Create();
        }
        catch (KanikoException exception)
        {
            TestRequirements.Unavailable("no RUN sandbox here: " + exception.Message);
            throw;
        }
    }
}
