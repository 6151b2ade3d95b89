using System.Text;

namespace Kaniko.Engine.Compat;

/// <summary>
/// Lexical path cleaning with the exact rules of Go's <c>path/filepath.Clean</c> on Unix, which Docker's ignore-file
/// reader and pattern matcher apply to every pattern and path. Matching them exactly matters: <c>/</c> stays <c>/</c>,
/// <c>..</c> above a relative start is kept, and an empty result becomes <c>.</c>.
/// </summary>
internal static class GoPath
{
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var output = new StringBuilder(path.Length);
        if (rooted)
        {
            output.Append('/');
        }

        // dotdot marks where output can no longer be backtracked by "..".
        var dotdot = output.Length;
        var r = rooted ? 1 : 0;
        var n = path.Length;
        while (r < n)
        {
            if (path[r] == '/')
            {
                r++;
            }
            else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/'))
            {
                r++;
            }
            else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/'))
            {
                r += 2;
                if (output.Length > dotdot)
                {
                    var w = output.Length - 1;
                    while (w > dotdot && output[w] != '/')
                    {
                        w--;
                    }

                    output.Length = w;
                }
                else if (!rooted)
                {
                    if (output.Length > 0)
                    {
                        output.Append('/');
                    }

                    output.Append("..");
                    dotdot = output.Length;
                }
            }
            else
            {
                if ((rooted && output.Length != 1) || (!rooted && output.Length != 0))
                {
                    output.Append('/');
                }

                while (r < n && path[r] != '/')
                {
                    output.Append(path[r]);
                    r++;
                }
            }
        }

        return output.Length == 0 ? "." : output.ToString();
    }
}
