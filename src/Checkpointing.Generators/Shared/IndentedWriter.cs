using System;
using System.Text;

namespace Checkpointing.Generators.Shared;

/// <summary>Writes indented source text; multi-line strings are indented line by line.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _builder = new();
    private int _depth;

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
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            if (line.Length > 0)
            {
                _builder.Append(' ', _depth * 4).Append(line);
            }

            _builder.Append('\n');
        }

        return this;
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
