using PretrainLab.Data.Cleaning;

namespace PretrainLab.Data.Tests.Cleaning;

public sealed class QualityFilterTests
{
    private static readonly string Story = string.Join("\n\n", File.ReadAllText(Tokenizers.TestFiles.TinyStories)
        .Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(6));

    [Fact]
    public void NaturalProse_PassesGophersDefaults()
    {
        Assert.Null(new QualityFilter(new QualityFilterOptions()).Check(Story));
        var random = new Random(1);
        Assert.Null(new QualityFilter(new QualityFilterOptions()).Check(TextCorpora.Document(random, 500)));
    }

    [Fact]
    public void EveryRuleOff_PassesAnything() =>
        Assert.Null(new QualityFilter(QualityFilterOptions.None).Check("# # # 1 2 3 ... \n- a\n- a\n- a"));

    [Theory]
    [InlineData(5, null, "a b c d", "4 words < 5")]
    [InlineData(null, 3, "a b c d", "4 words > 3")]
    public void Words(int? min, int? max, string text, string detail) =>
        AssertRejected(QualityFilterOptions.None with { MinWords = min, MaxWords = max }, text, "words", detail);

    [Fact]
    public void MeanWordLength()
    {
        var options = QualityFilterOptions.None with { MinMeanWordLength = 3, MaxMeanWordLength = 10 };
        AssertRejected(options, "a bb a bb", "mean_word_length", "mean word length 1.5 < 3");
        AssertRejected(options, "extraordinarily incomprehensibilities", "mean_word_length", "> 10");
        Assert.Null(new QualityFilter(options).Check("three words here"));
    }

    [Fact]
    public void SymbolRatio_CountsHashesAndEllipsesSeparately()
    {
        var options = QualityFilterOptions.None with { MaxSymbolRatio = 0.1 };
        string words = string.Join(' ', Enumerable.Repeat("word", 8));
        AssertRejected(options, words + " #tag #more", "symbol_ratio", "'#' per word 0.2");
        AssertRejected(options, words + " so... and…", "symbol_ratio", "ellipses per word 0.2");
        Assert.Null(new QualityFilter(options).Check(words + " #tag so..."));
    }

    [Fact]
    public void DigitRatio_IsAShareOfNonWhitespaceCharacters() =>
        AssertRejected(QualityFilterOptions.None with { MaxDigitRatio = 0.3 }, "ab 1234 cd", "digit_ratio", "digit share 0.5 > 0.3");

    [Fact]
    public void AlphaWords() =>
        AssertRejected(QualityFilterOptions.None with { MinAlphaWordFraction = 0.8 }, "one 2 3 four five", "alpha_words", "0.6 < 0.8");

    [Fact]
    public void BulletLines_IgnoreBlankLinesAndLeadingSpace()
    {
        var options = QualityFilterOptions.None with { MaxBulletLineFraction = 0.5 };
        AssertRejected(options, "Intro\n\n  - one\n• two\n* three", "bullet_lines", "0.75 > 0.5");
        Assert.Null(new QualityFilter(options).Check("Intro\nmore\n- one\n\n"));
    }

    [Fact]
    public void EllipsisLines() =>
        AssertRejected(QualityFilterOptions.None with { MaxEllipsisLineFraction = 0.3 }, "Read more...\nfine\nand then…", "ellipsis_lines", "0.667 > 0.3");

    [Fact]
    public void DuplicateLines_CountRepeatsAfterTheFirst() =>
        AssertRejected(QualityFilterOptions.None with { MaxDuplicateLineFraction = 0.3 }, "Menu\nHome\nmenu\nHome\nText", "duplicate_lines", "0.4 > 0.3");

    [Fact]
    public void TopNgram_IsTheMostFrequentNgramsCharacterShare()
    {
        // "ab cd" appears 3 times: 3 × 4 characters of 4 + 12 + 8 = 24 word characters.
        var options = QualityFilterOptions.None with { MaxTopNgramFraction = new Dictionary<int, double> { [2] = 0.4 } };
        AssertRejected(options, "ab cd ab cd ab cd wxyz wxyzwxyz", "top_ngram", "most frequent 2-gram covers 0.5 of the characters > 0.4");
        var lenient = QualityFilterOptions.None with { MaxTopNgramFraction = new Dictionary<int, double> { [2] = 0.5 } };
        Assert.Null(new QualityFilter(lenient).Check("ab cd ab cd ab cd wxyz wxyzwxyz"));
    }

    [Fact]
    public void DuplicateNgram_CountsRepeatsAfterTheFirst()
    {
        // Words of 1 char: "a b c x a b c y a b c": 3-gram "a b c" repeats twice (6 chars of 11).
        var options = QualityFilterOptions.None with { MaxDuplicateNgramFraction = new Dictionary<int, double> { [3] = 0.5 } };
        AssertRejected(options, "a b c x a b c y a b c", "duplicate_ngram", "repeated 3-grams cover 0.545 of the characters > 0.5");
    }

    [Fact]
    public void RepetitiveSpam_FailsGophersDefaults()
    {
        string spam = string.Concat(Enumerable.Repeat("buy cheap watches online today best price guaranteed. ", 20));
        var rejection = new QualityFilter(new QualityFilterOptions()).Check(spam);
        Assert.NotNull(rejection);
        Assert.Contains(rejection.Rule, new[] { "top_ngram", "duplicate_ngram" });
    }

    [Fact]
    public void RulesRunInOrder_AndTheFirstFailureIsReported()
    {
        var rejection = new QualityFilter(new QualityFilterOptions()).Check("# 1 2");
        Assert.Equal("words", rejection?.Rule);
        Assert.Equal("words", QualityFilter.RuleNames[0]);
    }

    private static void AssertRejected(QualityFilterOptions options, string text, string rule, string detail)
    {
        var rejection = new QualityFilter(options).Check(text);
        Assert.NotNull(rejection);
        Assert.Equal(rule, rejection.Rule);
        Assert.Contains(detail, rejection.Detail);
    }
}
