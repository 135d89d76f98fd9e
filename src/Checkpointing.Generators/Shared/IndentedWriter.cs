using System;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Checkpointing.Generators.Shared;

/// <summary>Writes indented source text; multi-line strings are indented line by line.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _builder;
    private int _depth;

    // Roslyn keeps a text of this many characters or more in pieces (its LargeText), off the large object heap.
    private const int LargeTextChars = 40 * 1024;

    // A builder grows by chunks of at most 8,000 characters and never copies what it holds: asking for more up
    // front only puts one array of the whole file on the large object heap.
    private const int MaxInitialChars = 8000;

    /// <param name="capacity">The expected length of the text (up to 8,000 characters are set aside).</param>
    public IndentedWriter(int capacity = 4096) => _builder = new StringBuilder(Math.Min(capacity, MaxInitialChars));

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

    /// <summary>
    /// Starts a line at the current depth with <paramref name="text"/>; <see cref="Append(string)"/> adds to it and
    /// <see cref="End"/> ends it. For the lines an emitter writes per member: the parts go straight into the text,
    /// where an interpolated string would format (and box) each part into a string of its own first.
    /// </summary>
    public IndentedWriter Begin(string text)
    {
        _builder.Append(' ', _depth * 4).Append(text);
        return this;
    }

    /// <summary>Adds <paramref name="text"/> to the line begun with <see cref="Begin"/>.</summary>
    public IndentedWriter Append(string? text)
    {
        _builder.Append(text);
        return this;
    }

    /// <summary>Adds <paramref name="value"/>, in invariant digits, to the line begun with <see cref="Begin"/>.</summary>
    public IndentedWriter Append(int value)
    {
        _builder.Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>Adds <paramref name="value"/> as a C# string literal (<see cref="GeneratedCode.Literal"/>).</summary>
    public IndentedWriter AppendLiteral(string value)
    {
        if (GeneratedCode.StandsAsIs(value))
        {
            _builder.Append('"').Append(value).Append('"');
        }
        else
        {
            _builder.Append(GeneratedCode.Literal(value));
        }

        return this;
    }

    /// <summary>Ends the line begun with <see cref="Begin"/>, after <paramref name="text"/>.</summary>
    public IndentedWriter End(string text = "")
    {
        _builder.Append(text).Append('\n');
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

    /// <summary>
    /// The text, UTF-8, for <c>AddSource</c>. A long one is handed to Roslyn in pieces: as one string it would be an
    /// array on the large object heap, and a full run over 200 records of 107 columns then paid a gen 2 collection.
    /// </summary>
    public SourceText ToSourceText() =>
        _builder.Length < LargeTextChars
            ? SourceText.From(_builder.ToString(), Encoding.UTF8)
            : SourceText.From(new BuilderReader(_builder), _builder.Length, Encoding.UTF8);

    /// <summary>Reads a builder's text in order, a block at a time, without making a string of it.</summary>
    private sealed class BuilderReader(StringBuilder builder) : System.IO.TextReader
    {
        private int _position;

        public override int Peek() => _position < builder.Length ? builder[_position] : -1;

        public override int Read() => _position < builder.Length ? builder[_position++] : -1;

        public override int Read(char[] buffer, int index, int count)
        {
            var read = Math.Min(count, builder.Length - _position);
            if (read <= 0)
            {
                return 0;
            }

            builder.CopyTo(_position, buffer, index, read);
            _position += read;
            return read;
        }
    }
}
