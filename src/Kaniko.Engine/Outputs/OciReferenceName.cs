using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Outputs;

/// <summary>
/// The <c>org.opencontainers.image.ref.name</c> annotation that names a manifest in an OCI layout's
/// <c>index.json</c>, with the grammar of the image spec's annotations document:
/// <code>
/// ref       ::= component ("/" component)*
/// component ::= alphanum (separator alphanum)*
/// alphanum  ::= [A-Za-z0-9]+
/// separator ::= [-._:@+] | "--"
/// </code>
/// </summary>
internal static class OciReferenceName
{
    /// <summary>The annotation key.</summary>
    public const string AnnotationKey = "org.opencontainers.image.ref.name";

    /// <summary>True when <paramref name="name"/> follows the grammar.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (var component in name.Split('/'))
        {
            if (!IsValidComponent(component))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns <paramref name="name"/> when valid; throws <c>KANIKO5003</c> otherwise.</summary>
    public static string Validate(string name, string destination) =>
        IsValid(name)
            ? name
            : throw new KanikoException(
                DiagnosticCodes.InvalidOutputTag,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidOutputTag, name, destination,
                    "a layout reference name is letters and digits joined by single - . _ : @ + separators (or --), in /-separated parts"));

    private static bool IsValidComponent(string component)
    {
        if (component.Length == 0 || !char.IsAsciiLetterOrDigit(component[0]))
        {
            return false;
        }

        var i = 0;
        while (i < component.Length)
        {
            if (char.IsAsciiLetterOrDigit(component[i]))
            {
                i++;
                continue;
            }

            // A separator, "--" counting as one, must sit between two alphanumerics.
            var length = component.AsSpan(i).StartsWith("--") ? 2 : "-._:@+".Contains(component[i], StringComparison.Ordinal) ? 1 : 0;
            if (length == 0 || i + length >= component.Length || !char.IsAsciiLetterOrDigit(component[i + length]))
            {
                return false;
            }

            i += length;
        }

        return true;
    }
}
