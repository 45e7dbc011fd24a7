using System.Text;

namespace PretrainLab.Data.Tests.Tokenizers;

/// <summary>
/// Seeded random Unicode text for property tests, drawn to hit the split patterns' edge cases:
/// ASCII words and punctuation, whitespace runs (including non-ASCII spaces and line breaks),
/// contractions, digit runs, accented and combining characters, several scripts, astral-plane
/// letters and digits, emoji with ZWJ, variation selectors and skin tones, and arbitrary code points.
/// </summary>
internal sealed class RandomText(int seed)
{
    private static readonly string[] Fragments =
    [
        "the", " of", "and", "THE", "Hello", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "'\u017f", "'",
        "<|endoftext|>", "\r\n", "\n\n", "  ", "\t", "...", "!?", "0", "42", "2024", "1234567",
    ];

    private static readonly string[] EmojiSequences =
    [
        "\U0001F468\u200D\U0001F469\u200D\U0001F467", "\u263A\uFE0F", "\U0001F44D\U0001F3FD", "\U0001F1EF\U0001F1F5", "\U0001F642",
    ];

    private static readonly int[] Spaces = [' ', '\t', '\n', '\r', '\v', '\f', 0x85, 0xA0, 0x1680, 0x2003, 0x2028, 0x2029, 0x202F, 0x3000];

    // Ranges of code points (inclusive) to draw single characters from.
    private static readonly (int First, int Last)[] Ranges =
    [
        (0x20, 0x7E), // ASCII printable
        (0x00, 0x1F), // controls, including the information separators 0x1C-0x1F (not White_Space)
        (0xC0, 0x24F), // Latin-1 and Latin Extended
        (0x300, 0x36F), // combining diacritics
        (0x370, 0x3FF), // Greek
        (0x400, 0x4FF), // Cyrillic
        (0x600, 0x6FF), // Arabic
        (0x900, 0x97F), // Devanagari
        (0x4E00, 0x9FFF), // CJK
        (0xAC00, 0xD7A3), // Hangul
        (0x2000, 0x206F), // general punctuation, ZWJ, spaces
        (0xFE00, 0xFE0F), // variation selectors
        (0x1D400, 0x1D7FF), // mathematical alphanumerics: astral letters and digits
        (0x20000, 0x2A6DF), // CJK extension B: astral letters
        (0x10330, 0x1034A), // Gothic
        (0x1F300, 0x1FAFF), // emoji
        (0x1F3FB, 0x1F3FF), // skin tones
        (0x1F1E6, 0x1F1FF), // regional indicators (flags)
    ];

    private readonly Random _random = new(seed);

    /// <summary>A string of up to <paramref name="maxElements"/> fragments, characters and runs; never holds a lone surrogate.</summary>
    public string Next(int maxElements)
    {
        var text = new StringBuilder();
        int elements = _random.Next(maxElements + 1);
        for (int e = 0; e < elements; e++)
        {
            switch (_random.Next(10))
            {
                case 0:
                    text.Append(Fragments[_random.Next(Fragments.Length)]);
                    break;
                case 1:
                    for (int n = _random.Next(1, 12); n > 0; n--)
                        AppendCodePoint(text, Spaces[_random.Next(Spaces.Length)]);
                    break;
                case 2:
                    for (int n = _random.Next(1, 40); n > 0; n--)
                        text.Append((char)('0' + _random.Next(10)));
                    break;
                case 3:
                    text.Append(EmojiSequences[_random.Next(EmojiSequences.Length)]);
                    break;
                case 4:
                    // Any scalar value, astral planes included.
                    int any = _random.Next(0x10FFFF - 0x800);
                    AppendCodePoint(text, any < 0xD800 ? any : any + 0x800);
                    break;
                default:
                    var (first, last) = Ranges[_random.Next(Ranges.Length)];
                    for (int n = _random.Next(1, 8); n > 0; n--)
                        AppendCodePoint(text, _random.Next(first, last + 1));
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>A string from <see cref="Next"/> with lone surrogates inserted.</summary>
    public string NextWithLoneSurrogates(int maxElements)
    {
        var text = new StringBuilder(Next(maxElements));
        for (int n = _random.Next(1, 4); n > 0; n--)
        {
            char surrogate = (char)_random.Next(0xD800, 0xE000);
            int at = _random.Next(text.Length + 1);
            // Inserting beside a surrogate could complete a pair or split one; either way the
            // result may hold valid pairs too, which is fine: U+FFFD replaces only unpaired ones.
            text.Insert(at, surrogate);
        }
        return text.ToString();
    }

    private static void AppendCodePoint(StringBuilder text, int codePoint)
    {
        if (codePoint is >= 0xD800 and <= 0xDFFF)
            codePoint = 0xFFFD;
        text.Append(char.ConvertFromUtf32(codePoint));
    }
}
