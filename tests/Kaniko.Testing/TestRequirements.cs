using Xunit;

namespace Kaniko.Testing;

/// <summary>
/// Skips a test whose external prerequisite (a Debian package, a binary) is missing. In CI the prerequisites are
/// installed first, so a missing one there is a broken setup: with <c>KANIKO_REQUIRE_INTEGRATION=1</c> the test fails
/// instead of skipping, and a CI run cannot turn green by silently skipping every integration test.
/// </summary>
public static class TestRequirements
{
    /// <summary>The hint appended to every "not installed" message.</summary>
    public const string InstallHint = "(scripts/install-test-deps.sh)";

    /// <summary>Whether missing prerequisites fail tests instead of skipping them.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("KANIKO_REQUIRE_INTEGRATION") == "1";

    /// <summary>Skips the current test with <paramref name="reason"/> (fails it when <see cref="Required"/>).</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Unavailable(string reason)
    {
        if (Required)
        {
            Assert.Fail(reason + " and KANIKO_REQUIRE_INTEGRATION=1");
        }

        Assert.Skip(reason);
    }

    /// <summary>The message used when <paramref name="tool"/> is missing, e.g. "skopeo not installed (scripts/install-test-deps.sh)".</summary>
    public static string NotInstalled(string tool) => $"{tool} not installed {InstallHint}";

    /// <summary>The full path of executable <paramref name="name"/> on PATH, or skips the test when there is none.</summary>
    public static string Executable(string name)
    {
        var path = ExternalTools.Find(name);
        if (path is null)
        {
            Unavailable(NotInstalled(name));
        }

        return path;
    }
}
