using Checkpointing.Generators.Shared;
using Microsoft.CodeAnalysis.CSharp;

namespace Checkpointing.Generators.Tests.Shared;

/// <summary>The emitters' text helpers, whose fast paths must give what the slow ones gave.</summary>
public sealed class WriterTests
{
    [Theory]
    [InlineData("")]
    [InlineData("ISBN or SKU")]
    [InlineData("Lightning Source Account #")]
    [InlineData("Price (USD) ~ {x} [y] $ % & ' ` ^ | < > = ! ? ; : , . / *")]
    [InlineData("say \"hi\"")]
    [InlineData("C:\\path\\to")]
    [InlineData("tab\there")]
    [InlineData("line\nbreak\r\n")]
    [InlineData("nul\0 and del\u007f")]
    [InlineData("Auteur é, 書名, emoji \U0001F600")]
    [InlineData("lone surrogate \ud800 and separator \u2028")]
    public void Literal_is_what_FormatLiteral_gives(string value) =>
        Assert.Equal(SymbolDisplay.FormatLiteral(value, quote: true), GeneratedCode.Literal(value));

    [Fact]
    public void Line_indents_each_line_and_leaves_blank_lines_empty()
    {
        var writer = new IndentedWriter(capacity: 1);
        writer.Line("a").OpenBrace().Line("b\r\n\r\nc\nd\re").Line("").Line("f\n").CloseBrace(";");

        Assert.Equal("a\n{\n    b\n\n    c\n    d\re\n\n    f\n\n};\n", writer.ToString());
    }
}
