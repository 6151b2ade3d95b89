using System.Globalization;
using System.Text;

namespace Kaniko.Testing;

/// <summary>Writes the YAML configuration file of the CNCF distribution registry (version 2.8) for a test instance.</summary>
public static class RegistryConfiguration
{
    /// <summary>The configuration text for a registry listening on 127.0.0.1:<paramref name="port"/>.</summary>
    /// <param name="options">The variant to configure.</param>
    /// <param name="port">The loopback port to listen on.</param>
    /// <param name="storageDirectory">Where the registry keeps its blobs and manifests.</param>
    public static string Create(RegistryServerOptions options, int port, string storageDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Htpasswd is not null && options.Token is not null)
        {
            throw new ArgumentException("distribution accepts one auth method per instance: htpasswd or token", nameof(options));
        }

        var yaml = new StringBuilder();
        yaml.AppendLine("version: 0.1");
        yaml.AppendLine("log:");
        yaml.AppendLine("  level: info");
        yaml.AppendLine("  formatter: text");
        yaml.AppendLine("storage:");
        yaml.AppendLine("  filesystem:");
        yaml.AppendLine("    rootdirectory: " + Quote(storageDirectory));
        yaml.AppendLine("  delete:");
        yaml.AppendLine("    enabled: " + (options.DeleteEnabled ? "true" : "false"));
        // Upload purging walks the storage on a timer; a short-lived test registry gains nothing from it.
        yaml.AppendLine("  maintenance:");
        yaml.AppendLine("    uploadpurging:");
        yaml.AppendLine("      enabled: false");
        yaml.AppendLine("http:");
        yaml.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  addr: 127.0.0.1:{port}"));
        // The secret signs upload state; a fixed value per instance avoids the "no secret" warning in the log.
        yaml.AppendLine("  secret: " + Quote("kaniko-test-" + Guid.NewGuid().ToString("N")));
        if (options.Tls is { } tls)
        {
            yaml.AppendLine("  tls:");
            yaml.AppendLine("    certificate: " + Quote(tls.CertificatePath));
            yaml.AppendLine("    key: " + Quote(tls.KeyPath));
        }

        if (options.Htpasswd is { } htpasswd)
        {
            yaml.AppendLine("auth:");
            yaml.AppendLine("  htpasswd:");
            yaml.AppendLine("    realm: " + Quote(htpasswd.Realm));
            yaml.AppendLine("    path: " + Quote(htpasswd.Path));
        }

        if (options.Token is { } token)
        {
            yaml.AppendLine("auth:");
            yaml.AppendLine("  token:");
            yaml.AppendLine("    realm: " + Quote(token.Realm.AbsoluteUri));
            yaml.AppendLine("    service: " + Quote(token.Service));
            yaml.AppendLine("    issuer: " + Quote(token.Issuer));
            yaml.AppendLine("    rootcertbundle: " + Quote(token.RootCertificateBundlePath));
        }

        return yaml.ToString();
    }

    // YAML single-quoted scalar: the only escape is a doubled quote.
    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
