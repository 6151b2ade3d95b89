namespace Kaniko.Testing;

/// <summary>Writes htpasswd files with Apache's <c>htpasswd</c> tool (bcrypt, the only hash distribution accepts).</summary>
public static class Htpasswd
{
    /// <summary>The Debian package that installs <c>htpasswd</c>.</summary>
    public const string Package = "apache2-utils";

    /// <summary>Writes one bcrypt entry per user in <paramref name="users"/> to <paramref name="path"/>.</summary>
    public static async Task WriteAsync(string path, IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(users);
        var htpasswd = ExternalTools.Find("htpasswd") ?? throw new FileNotFoundException(TestRequirements.NotInstalled(Package));
        var lines = new List<string>();
        foreach (var (user, password) in users)
        {
            // -n prints the entry instead of editing a file; -B selects bcrypt; -b takes the password as an argument.
            var result = await ExternalTools.RunCheckedAsync(htpasswd, ["-Bbn", user, password], cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            lines.Add(result.StandardOutput.Trim());
        }

        await File.WriteAllTextAsync(path, string.Join('\n', lines) + "\n", cancellationToken).ConfigureAwait(false);
    }
}
