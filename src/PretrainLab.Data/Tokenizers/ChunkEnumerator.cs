using System.Text;
using System.Text.RegularExpressions;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// The pieces a <see cref="TokenizerPattern"/> splits a text into, as slices of the text's UTF-8
/// bytes. Preset patterns are matched on the UTF-8 bytes directly; custom patterns run .NET Regex
/// over the UTF-16 text, and their match boundaries are mapped to byte offsets.
/// </summary>
internal ref struct ChunkEnumerator
{
    private readonly ReadOnlySpan<byte> _utf8;
    private readonly ReadOnlySpan<char> _text;
    private readonly TokenizerPattern.Kind _kind;
    private Regex.ValueMatchEnumerator _matches;
    private int _charPos;
    private int _bytePos;
    private int _start;
    private int _end;

    /// <param name="pattern">The split pattern.</param>
    /// <param name="text">The text; read only by custom (regex) patterns.</param>
    /// <param name="utf8">The text's UTF-8 encoding, lone surrogates replaced by U+FFFD.</param>
    public ChunkEnumerator(TokenizerPattern pattern, ReadOnlySpan<char> text, ReadOnlySpan<byte> utf8)
    {
        _utf8 = utf8;
        _kind = pattern.PatternKind;
        if (pattern.Regex is { } regex)
        {
            // The regex must see what the UTF-8 holds, lone surrogates as U+FFFD; only text with
            // surrogates at all can differ, and decoding the UTF-8 back gives exactly that text.
            if (text.ContainsAnyInRange('\uD800', '\uDFFF'))
                text = Encoding.UTF8.GetString(utf8);
            _matches = regex.EnumerateMatches(text);
        }
        _text = text;
    }

    /// <summary>The current piece's bytes.</summary>
    public readonly ReadOnlySpan<byte> Current => _utf8[_start.._end];

    /// <summary>Advances to the next non-empty piece.</summary>
    public bool MoveNext()
    {
        switch (_kind)
        {
            case TokenizerPattern.Kind.Gpt2:
            case TokenizerPattern.Kind.Cl100k:
                if (_end >= _utf8.Length)
                    return false;
                _start = _end;
                _end = _kind == TokenizerPattern.Kind.Gpt2
                    ? PresetSplitter.Gpt2ChunkEnd(_utf8, _start)
                    : PresetSplitter.Cl100kChunkEnd(_utf8, _start);
                return true;
            default:
                // Like tiktoken, text that no match covers is dropped, and so are empty matches.
                while (_matches.MoveNext())
                {
                    var match = _matches.Current;
                    _start = ByteOffset(match.Index);
                    _end = ByteOffset(match.Index + match.Length);
                    if (_end > _start)
                        return true;
                }
                return false;
        }
    }

    /// <summary>
    /// Byte offset of a match boundary. A boundary between the two halves of a surrogate pair
    /// (which .NET Regex, matching code units, can produce) moves to after the pair, so no piece
    /// holds half a character. Boundaries arrive in increasing order, so the offset is counted
    /// incrementally from the previous one.
    /// </summary>
    private int ByteOffset(int charIndex)
    {
        if (charIndex > 0 && charIndex < _text.Length && char.IsHighSurrogate(_text[charIndex - 1]) && char.IsLowSurrogate(_text[charIndex]))
            charIndex++;
        if (charIndex > _charPos)
        {
            _bytePos += Encoding.UTF8.GetByteCount(_text[_charPos..charIndex]);
            _charPos = charIndex;
        }
        return _bytePos;
    }
}
