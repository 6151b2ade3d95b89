namespace Kaniko.Testing;

/// <summary>Runs <c>git</c> for tests that make repositories, with a fixed identity and no signing or user configuration.</summary>
public static class TestGit
{
    /// <summary>The <c>git</c> program (a skip, or a failure in CI, when it is missing).</summary>
    public static string Executable => TestRequirements.Executable("git");

    /// <summary>Runs <c>git -C DIRECTORY ARGUMENTS</c> and returns its standard output; throws when it fails.</summary>
    public static async Task<string> RunAsync(string directory, CancellationToken cancellationToken, params string[] arguments)
    {
        string[] options = ["-C", directory, "-c", "init.defaultBranch=main", "-c", "user.name=tester", "-c", "user.email=tester@localhost", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"];
        var result = await ExternalTools.RunCheckedAsync(Executable, [.. options, .. arguments], cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.StandardOutput;
    }
}
