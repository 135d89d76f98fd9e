using System;
using System.Text;

namespace Checkpointing.Generators.Shared;

/// <summary>Writes indented source text; multi-line strings are indented line by line.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _builder;
    private int _depth;

    /// <param name="capacity">The expected length of the text, so a long file is not copied as it grows.</param>
    public IndentedWriter(int capacity = 4096) => _builder = new StringBuilder(capacity);

    public IndentedWriter Indent()
    {
        _depth++;
        return this;
    }

    public IndentedWriter Unindent()
    {
        _depth--;
        return this;
    }

    public IndentedWriter Line()
    {
        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes each line of <paramref name="text"/> at the current depth (blank lines stay empty).</summary>
    public IndentedWriter Line(string text)
    {
        // Appends each line as a slice of text: emitters write tens of thousands of lines per type.
        var start = 0;
        while (true)
        {
            var end = text.IndexOf('\n', start);
            var length = (end < 0 ? text.Length : end) - start;
            if (end >= 0 && length > 0 && text[end - 1] == '\r')
            {
                length--;
            }

            if (length > 0)
            {
                _builder.Append(' ', _depth * 4).Append(text, start, length);
            }

            _builder.Append('\n');
            if (end < 0)
            {
                return this;
            }

            start = end + 1;
        }
    }

    public IndentedWriter OpenBrace()
    {
        Line("{");
        return Indent();
    }

    public IndentedWriter CloseBrace(string suffix = "")
    {
        Unindent();
        return Line("}" + suffix);
    }

    public override string ToString() => _builder.ToString();
}
