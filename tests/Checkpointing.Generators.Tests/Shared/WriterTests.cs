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
    public void Literal_is_what_FormatLiteral_gives(string value)
    {
        Assert.Equal(SymbolDisplay.FormatLiteral(value, quote: true), GeneratedCode.Literal(value));
        Assert.Equal(SymbolDisplay.FormatLiteral(value, quote: true), new IndentedWriter().Begin("").AppendLiteral(value).End().ToString().TrimEnd('\n'));
    }

    [Fact]
    public void A_line_in_parts_is_the_line_written_whole()
    {
        var parts = new IndentedWriter();
        var whole = new IndentedWriter();
        parts.OpenBrace().Begin("column").Append(-12).Append(" = ").AppendLiteral("say \"hi\"").Append(null).End(";").CloseBrace();
        whole.OpenBrace().Line("column-12 = \"say \\\"hi\\\"\";").CloseBrace();

        Assert.Equal(whole.ToString(), parts.ToString());
    }

    [Theory]
    [InlineData(10)]
    [InlineData(40 * 1024 / 64)]
    [InlineData(5000)]
    public void Source_text_is_the_text_in_UTF8_with_the_checksum_of_one_string(int lines)
    {
        // Long texts go to Roslyn in pieces (off the large object heap): the text, its encoding and its checksum
        // (which PDBs and deterministic builds carry) must be what one string of it gives.
        var writer = new IndentedWriter(capacity: 1_000_000);
        for (var i = 0; i < lines; i++)
        {
            writer.Begin("case ").AppendLiteral("Auteur é 書名 \U0001F600 " + i).Append(": return this.Column").Append(i).End(";");
        }

        var expected = Microsoft.CodeAnalysis.Text.SourceText.From(writer.ToString(), System.Text.Encoding.UTF8);
        var text = writer.ToSourceText();

        Assert.Equal(expected.ToString(), text.ToString());
        Assert.Equal(expected.Length, text.Length);
        Assert.Equal(System.Text.Encoding.UTF8.WebName, text.Encoding?.WebName);
        Assert.Equal(expected.GetChecksum().ToArray(), text.GetChecksum().ToArray());
        Assert.Equal(expected.Lines.Count, text.Lines.Count);
    }

    [Fact]
    public void Line_indents_each_line_and_leaves_blank_lines_empty()
    {
        var writer = new IndentedWriter(capacity: 1);
        writer.Line("a").OpenBrace().Line("b\r\n\r\nc\nd\re").Line("").Line("f\n").CloseBrace(";");

        Assert.Equal("a\n{\n    b\n\n    c\n    d\re\n\n    f\n\n};\n", writer.ToString());
    }
}
