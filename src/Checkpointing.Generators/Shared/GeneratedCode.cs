using Microsoft.CodeAnalysis.CSharp;

namespace Checkpointing.Generators.Shared;

/// <summary>What every generated file shares: the header, the [GeneratedCode] attribute and literal helpers.</summary>
internal static class GeneratedCode
{
    /// <summary>
    /// The version in <c>[GeneratedCode]</c>. Kept in step with the package version by hand: a value read
    /// from the assembly would churn every snapshot.
    /// </summary>
    public const string Version = "0.1.0";

    public const string Attribute = "[global::System.CodeDom.Compiler.GeneratedCode(\"Checkpointing.Generators\", \"" + Version + "\")]";

    /// <summary>A C# string literal of <paramref name="value"/>, quoted and escaped.</summary>
    public static string Literal(string value) =>
        StandsAsIs(value) ? "\"" + value + "\"" : SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>
    /// True when <paramref name="value"/> is printable ASCII without a quote or a backslash: it stands in quotes as it
    /// is (what FormatLiteral gives, without its per-character checks: emitters write thousands of literals per file).
    /// </summary>
    public static bool StandsAsIs(string value)
    {
        foreach (var c in value)
        {
            if (c < ' ' || c > '~' || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><paramref name="value"/> escaped for XML documentation text.</summary>
    public static string Xml(string value) => value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
