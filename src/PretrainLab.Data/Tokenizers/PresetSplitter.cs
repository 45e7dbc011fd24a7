using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// Hand-written matchers for the GPT-2 and cl100k split patterns over UTF-8, with the semantics of
/// the regexes as tiktoken (Rust fancy-regex) and Python's <c>regex</c> run them: leftmost-first
/// alternation, greedy quantifiers, and classes tested on whole code points.
/// </summary>
/// <remarks>
/// .NET's Regex tests \p{L} and \p{N} on UTF-16 code units, so astral letters and digits (𝐀, 𝟏, 𠀀)
/// fall into the "other" class there, an optional one-character prefix can take half of an emoji's
/// surrogate pair, \p{N}{1,3} counts code units, and (?i) does not fold ſ to s. Matching on
/// decoded code points avoids all four and skips the regex engine on the hot path.
/// \s is Unicode White_Space, which is what Rust's \s, Python regex's \s and .NET's \s all mean.
/// </remarks>
internal static class PresetSplitter
{
    private enum CharClass : byte
    {
        Letter,
        Number,
        Space,
        Other,
    }

    private static readonly CharClass[] AsciiClasses = BuildAsciiClasses();

    private static CharClass[] BuildAsciiClasses()
    {
        var classes = new CharClass[128];
        for (int c = 0; c < 128; c++)
        {
            classes[c] = c switch
            {
                >= 'a' and <= 'z' or >= 'A' and <= 'Z' => CharClass.Letter,
                >= '0' and <= '9' => CharClass.Number,
                ' ' or '\t' or '\n' or '\v' or '\f' or '\r' => CharClass.Space,
                _ => CharClass.Other,
            };
        }
        return classes;
    }

    /// <summary>End (exclusive byte offset) of the GPT-2 pattern's match starting at <paramref name="start"/>.</summary>
    /// <remarks><c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c></remarks>
    public static int Gpt2ChunkEnd(ReadOnlySpan<byte> text, int start)
    {
        byte first = text[start];
        if (first == '\'')
        {
            int contraction = ContractionLength(text, start, ignoreCase: false);
            if (contraction > 0)
                return start + contraction;
        }
        var cls = Classify(text, start, out int length);
        int next = start + length;
        if (first == ' ' && next < text.Length)
        {
            // " ?X+" for each of the three non-space classes.
            var nextClass = Classify(text, next, out int nextLength);
            if (nextClass != CharClass.Space)
                return RunEnd(text, next + nextLength, nextClass);
        }
        return cls == CharClass.Space ? SpaceRunChunkEnd(text, start, untilLastNewline: false) : RunEnd(text, next, cls);
    }

    /// <summary>End (exclusive byte offset) of the cl100k pattern's match starting at <paramref name="start"/>.</summary>
    /// <remarks><c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c></remarks>
    public static int Cl100kChunkEnd(ReadOnlySpan<byte> text, int start)
    {
        byte first = text[start];
        if (first == '\'')
        {
            int contraction = ContractionLength(text, start, ignoreCase: true);
            if (contraction > 0)
                return start + contraction;
        }
        var cls = Classify(text, start, out int length);
        int next = start + length;
        if (cls == CharClass.Letter)
            return RunEnd(text, next, CharClass.Letter);
        if (cls != CharClass.Number && first != '\r' && first != '\n' && next < text.Length
            && Classify(text, next, out int letterLength) == CharClass.Letter)
            return RunEnd(text, next + letterLength, CharClass.Letter);
        if (cls == CharClass.Number)
        {
            for (int digits = 1; digits < 3 && next < text.Length && Classify(text, next, out int digitLength) == CharClass.Number; digits++)
                next += digitLength;
            return next;
        }
        if (first == ' ' && next < text.Length && Classify(text, next, out int otherLength) == CharClass.Other)
            return NewlineRunEnd(text, RunEnd(text, next + otherLength, CharClass.Other));
        if (cls == CharClass.Other)
            return NewlineRunEnd(text, RunEnd(text, next, CharClass.Other));
        return SpaceRunChunkEnd(text, start, untilLastNewline: true);
    }

    /// <summary>
    /// Length of the contraction (<c>'s 't 're 've 'm 'll 'd</c>) at <paramref name="start"/>, or 0.
    /// Case-insensitive matching uses Unicode simple case folding, whose only non-ASCII member
    /// folding to one of these letters is ſ (U+017F, two UTF-8 bytes) to s.
    /// </summary>
    private static int ContractionLength(ReadOnlySpan<byte> text, int start, bool ignoreCase)
    {
        if (start + 1 >= text.Length)
            return 0;
        int c1 = Fold(text[start + 1], ignoreCase);
        switch (c1)
        {
            case 's' or 't' or 'm' or 'd':
                return 2;
            case 'r' or 'v' or 'l':
                if (start + 2 < text.Length && Fold(text[start + 2], ignoreCase) == (c1 == 'l' ? 'l' : 'e'))
                    return 3;
                return 0;
            case 0xC5 when ignoreCase && start + 2 < text.Length && text[start + 2] == 0xBF:
                return 3;
            default:
                return 0;
        }
    }

    private static int Fold(byte b, bool ignoreCase) => ignoreCase && b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b;

    /// <summary>
    /// The whitespace alternatives at a whitespace character: cl100k's <c>\s*[\r\n]+</c> (when
    /// <paramref name="untilLastNewline"/>), then <c>\s+(?!\S)</c>, then <c>\s+</c>.
    /// </summary>
    private static int SpaceRunChunkEnd(ReadOnlySpan<byte> text, int start, bool untilLastNewline)
    {
        int i = start, lastStart = start, lastNewline = -1;
        while (i < text.Length && Classify(text, i, out int length) == CharClass.Space)
        {
            if (text[i] is (byte)'\r' or (byte)'\n')
                lastNewline = i;
            lastStart = i;
            i += length;
        }
        // \s*[\r\n]+ backtracks \s* to the run's last newline and ends just after it.
        if (untilLastNewline && lastNewline >= 0)
            return lastNewline + 1;
        // \s+(?!\S): the whole run at the end of text, otherwise all but the last whitespace
        // character, which then prefixes the next word; \s+ when the run is that one character.
        if (i == text.Length || lastStart == start)
            return i;
        return lastStart;
    }

    private static int NewlineRunEnd(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && text[i] is (byte)'\r' or (byte)'\n')
            i++;
        return i;
    }

    private static int RunEnd(ReadOnlySpan<byte> text, int i, CharClass cls)
    {
        while (i < text.Length && Classify(text, i, out int length) == cls)
            i += length;
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static CharClass Classify(ReadOnlySpan<byte> text, int i, out int length)
    {
        byte b = text[i];
        if (b < 0x80)
        {
            length = 1;
            return AsciiClasses[b];
        }
        return ClassifyNonAscii(text[i..], out length);
    }

    private static CharClass ClassifyNonAscii(ReadOnlySpan<byte> text, out int length)
    {
        // Invalid UTF-8 decodes as U+FFFD (class Other) over the bytes it spans.
        Rune.DecodeFromUtf8(text, out Rune rune, out length);
        int cp = rune.Value;
        if (cp is 0x85 or 0xA0 or 0x1680 or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000)
            return CharClass.Space;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharClass.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharClass.Number,
            _ => CharClass.Other,
        };
    }
}
