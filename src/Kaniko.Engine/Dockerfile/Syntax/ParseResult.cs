using System.Text;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>The syntax tree of one Dockerfile: its instructions in source order, its directives and its warnings.</summary>
/// <param name="FileName">The file name used in locations, as the caller gave it.</param>
/// <param name="Nodes">One node per instruction.</param>
/// <param name="Directives">The parser directives.</param>
/// <param name="Warnings">Problems that do not stop the build, such as empty continuation lines.</param>
internal sealed record ParseResult(string FileName, IReadOnlyList<SyntaxNode> Nodes, ParserDirectives Directives,
                                 IReadOnlyList<BuildWarning> Warnings)
{
    /// <summary>
    /// BuildKit's dump of the whole tree: one <c>(node)</c> line per instruction, each ending with a newline.
    /// This is the text of the parser conformance <c>result</c> files.
    /// </summary>
    public string Dump()
    {
        var builder = new StringBuilder();
        foreach (var node in Nodes)
        {
            builder.Append('(').Append(node.Dump()).Append(")\n");
        }

        return builder.ToString();
    }
}
