using System.Text;
using System.Text.RegularExpressions;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

public sealed class TokenizerPatternTests
{
    public static TheoryData<string> Presets => [TokenizerPattern.Gpt2Expression, TokenizerPattern.Cl100kExpression];

    /// <summary>
    /// On text without astral-plane characters and without ſ, .NET Regex gives the regex's
    /// code-point semantics, so the hand-written splitters must agree with it exactly.
    /// </summary>
    [Theory]
    [MemberData(nameof(Presets))]
    public void PresetSplitterMatchesDotNetRegexOnBmpText(string expression)
    {
        var pattern = TokenizerPattern.FromRegex(expression);
        var regex = new Regex(expression, RegexOptions.CultureInvariant);
        var random = new RandomText(seed: 31);
        for (int n = 0; n < 3000; n++)
        {
            string text = BmpOnly(random.Next(24));
            var expected = regex.Matches(text).Select(m => m.Value).ToList();
            Assert.Equal(expected, SplitPieces.Of(pattern, text));
        }
    }

    [Fact]
    public void PresetsSplitAstralCharactersByCodePoint()
    {
        // Math bold letters and digits are \p{L} and \p{N}; emoji are neither.
        Assert.Equal(["a\U0001D400b", " \U0001D7CF\U0001D7D0\U0001D7D1\U0001D7D2"], SplitPieces.Of(TokenizerPattern.Gpt2, "a\U0001D400b \U0001D7CF\U0001D7D0\U0001D7D1\U0001D7D2"));
        Assert.Equal(["\U0001F642hello", " ", "\U0001D7CF\U0001D7D0\U0001D7D1", "\U0001D7D2"], SplitPieces.Of(TokenizerPattern.Cl100k, "\U0001F642hello \U0001D7CF\U0001D7D0\U0001D7D1\U0001D7D2"));
        Assert.Equal(["\U0001F642", "hello"], SplitPieces.Of(TokenizerPattern.Gpt2, "\U0001F642hello"));
    }

    [Fact]
    public void Cl100kContractionsFoldCaseIncludingLongS()
    {
        Assert.Equal(["it", "'\u017f", " it", "'s", " IT", "'S"], SplitPieces.Of(TokenizerPattern.Cl100k, "it'\u017f it's IT'S"));
        Assert.Equal(["it", "'", "\u017f", " it", "'s", " IT", "'", "S"], SplitPieces.Of(TokenizerPattern.Gpt2, "it'\u017f it's IT'S"));
    }

    [Fact]
    public void FromRegexReturnsThePresetForAPresetExpression()
    {
        Assert.Same(TokenizerPattern.Gpt2, TokenizerPattern.FromRegex(TokenizerPattern.Gpt2Expression));
        Assert.Same(TokenizerPattern.Cl100k, TokenizerPattern.FromRegex(TokenizerPattern.Cl100kExpression));
        Assert.Equal(@"\w+", TokenizerPattern.FromRegex(@"\w+").Expression);
        Assert.Throws<RegexParseException>(() => TokenizerPattern.FromRegex("(unclosed"));
    }

    [Fact]
    public void CustomRegexPiecesNeverSplitASurrogatePair()
    {
        // "." matches single UTF-16 code units, so it would cut the emoji in half.
        Assert.Equal(["a", "\U0001F600", "b"], SplitPieces.Of(TokenizerPattern.FromRegex("."), "a\U0001F600b"));
    }

    [Fact]
    public void CustomRegexSeesLoneSurrogatesAsReplacementCharacters()
    {
        // U+FFFD is \p{So}; a lone surrogate (\p{Cs}) would be dropped if the regex saw it.
        Assert.Equal(["a", "\uFFFD\uFFFD", "b"], SplitPieces.Of(TokenizerPattern.FromRegex(@"\p{So}+|\p{L}+"), "a\uD800\uFFFDb"));
    }

    [Fact]
    public void CustomRegexDropsTextNoMatchCovers()
    {
        Assert.Equal(["ab", "cd"], SplitPieces.Of(TokenizerPattern.FromRegex(@"\p{L}+"), "ab, cd!"));
    }

    private static string BmpOnly(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
            result.Append(rune.IsBmp && rune.Value != 0x17F ? (char)rune.Value : 'x');
        return result.ToString();
    }
}
