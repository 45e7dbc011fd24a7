using System.Text.RegularExpressions;

namespace PretrainLab.Data.Corpora;

/// <summary>
/// Where a text file is cut into documents: nowhere (<see cref="None"/>, the file is one document),
/// at blank lines (<see cref="BlankLines"/>), at each occurrence of a literal string
/// (<see cref="Literal"/>), or at each match of a regular expression (<see cref="Pattern"/>). The cut
/// removes the separator itself; documents that are empty or only whitespace are dropped.
/// </summary>
public sealed class DocumentSeparator
{
    private readonly string? _literal;
    private readonly Regex? _regex;

    private DocumentSeparator(string name, string? literal, Regex? regex)
    {
        Name = name;
        _literal = literal;
        _regex = regex;
    }

    /// <summary>No separator: each file is one document.</summary>
    public static DocumentSeparator None { get; } = new("none", null, null);

    /// <summary>
    /// One or more blank lines (lines that are empty or only spaces and tabs) end a document; the line
    /// break before the blank lines is removed with them.
    /// </summary>
    public static DocumentSeparator BlankLines { get; } = new("blank_lines", null, null);

    /// <summary>How configurations name this separator: <c>none</c>, <c>blank_lines</c>, <c>literal</c> or <c>regex</c>.</summary>
    public string Name { get; }

    /// <summary>The string of a <c>literal</c> separator or the expression of a <c>regex</c> one, else null.</summary>
    public string? Text => _literal ?? _regex?.ToString();

    /// <summary>Cuts at every occurrence of <paramref name="text"/> (matched ordinally).</summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is empty.</exception>
    public static DocumentSeparator Literal(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new DocumentSeparator("literal", text, null);
    }

    /// <summary>
    /// Cuts at every match of the .NET regular expression <paramref name="expression"/>; for example
    /// <c>(?&lt;=[^\n])\n(?=[^\n])</c> cuts at single line breaks but not at blank lines.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="expression"/> is empty or not a valid regular expression.</exception>
    public static DocumentSeparator Pattern(string expression)
    {
        ArgumentException.ThrowIfNullOrEmpty(expression);
        return new DocumentSeparator("regex", null, new Regex(expression, RegexOptions.CultureInvariant));
    }

    /// <summary>The documents of <paramref name="text"/> as (start, length) ranges, in order, skipping blank ones.</summary>
    public IEnumerable<Range> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_literal is not null)
            return SplitLiteral(text, _literal);
        if (_regex is not null)
            return SplitRegex(text, _regex);
        if (ReferenceEquals(this, BlankLines))
            return SplitBlankLines(text);
        return IsBlank(text.AsSpan()) ? [] : [Range.All];
    }

    private static IEnumerable<Range> SplitLiteral(string text, string separator)
    {
        int start = 0;
        while (true)
        {
            int at = text.IndexOf(separator, start, StringComparison.Ordinal);
            int end = at < 0 ? text.Length : at;
            if (!IsBlank(text.AsSpan(start, end - start)))
                yield return new Range(start, end);
            if (at < 0)
                yield break;
            start = at + separator.Length;
        }
    }

    private static IEnumerable<Range> SplitRegex(string text, Regex regex)
    {
        int start = 0;
        foreach (Match match in regex.Matches(text))
        {
            if (!IsBlank(text.AsSpan(start, match.Index - start)))
                yield return new Range(start, match.Index);
            start = match.Index + match.Length;
        }
        if (!IsBlank(text.AsSpan(start)))
            yield return new Range(start, text.Length);
    }

    private static IEnumerable<Range> SplitBlankLines(string text)
    {
        // Walk line by line; a blank line closes the current document at the end of the last non-blank line.
        int documentStart = -1, documentEnd = 0;
        int lineStart = 0;
        while (lineStart <= text.Length)
        {
            int newline = text.IndexOf('\n', lineStart);
            int lineEnd = newline < 0 ? text.Length : newline;
            if (IsBlank(text.AsSpan(lineStart, lineEnd - lineStart)))
            {
                if (documentStart >= 0)
                    yield return new Range(documentStart, documentEnd);
                documentStart = -1;
            }
            else
            {
                if (documentStart < 0)
                    documentStart = lineStart;
                // A "\r\n" line end stays out of the document with its "\n".
                documentEnd = lineEnd > lineStart && text[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            }
            if (newline < 0)
                break;
            lineStart = newline + 1;
        }
        if (documentStart >= 0)
            yield return new Range(documentStart, documentEnd);
    }

    private static bool IsBlank(ReadOnlySpan<char> text) => text.IsWhiteSpace();

    /// <summary>The configuration name, with the string or expression for <c>literal</c> and <c>regex</c>.</summary>
    public override string ToString() => Text is null ? Name : $"{Name} \"{Text}\"";
}
