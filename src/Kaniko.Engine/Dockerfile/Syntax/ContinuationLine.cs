namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>
/// BuildKit's line-continuation rule, <c>([^E])E[ \t]*$|^E[ \t]*$</c> for the escape character E: the last character
/// other than space or tab is E and the one before it is not E. So <c>\\</c> does not continue, and neither does
/// <c>\\\</c> (BuildKit's expression cannot tell an escaped escape apart).
/// </summary>
internal static class ContinuationLine
{
    /// <summary>
    /// When <paramref name="line"/> continues, returns true and gives the line without E and the blanks after it.
    /// Otherwise returns false and gives the line unchanged.
    /// </summary>
    public static bool TryStrip(string line, char escapeToken, out string stripped)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] is ' ' or '\t')
        {
            end--;
        }

        var escapeAt = end - 1;
        if (escapeAt < 0 || line[escapeAt] != escapeToken || (escapeAt > 0 && line[escapeAt - 1] == escapeToken))
        {
            stripped = line;
            return false;
        }

        stripped = line[..escapeAt];
        return true;
    }
}
