namespace PretrainLab.Data.Cleaning;

/// <summary>
/// Limits for <see cref="QualityFilter"/>'s heuristic rules; a null limit switches its rule (or that
/// side of it) off. The defaults are Gopher's (Rae et al., 2021), plus a digit-share limit of 0.3.
/// </summary>
public sealed record QualityFilterOptions
{
    /// <summary>Fewest words (<c>words.min</c>).</summary>
    public int? MinWords { get; init; } = 50;

    /// <summary>Most words (<c>words.max</c>).</summary>
    public int? MaxWords { get; init; } = 100_000;

    /// <summary>Smallest mean word length in characters (<c>mean_word_length.min</c>).</summary>
    public double? MinMeanWordLength { get; init; } = 3;

    /// <summary>Largest mean word length in characters (<c>mean_word_length.max</c>).</summary>
    public double? MaxMeanWordLength { get; init; } = 10;

    /// <summary>Largest ratio to the word count of '#' characters, and separately of ellipses ("..." or '…') (<c>symbol_ratio.max</c>).</summary>
    public double? MaxSymbolRatio { get; init; } = 0.1;

    /// <summary>Largest share of digits among the non-whitespace characters (<c>digit_ratio.max</c>).</summary>
    public double? MaxDigitRatio { get; init; } = 0.3;

    /// <summary>Smallest share of words holding at least one letter (<c>alpha_words.min</c>).</summary>
    public double? MinAlphaWordFraction { get; init; } = 0.8;

    /// <summary>Largest share of non-blank lines starting with a bullet (•‣◦⁃▪▫●○■□–—-*·) (<c>bullet_lines.max</c>).</summary>
    public double? MaxBulletLineFraction { get; init; } = 0.9;

    /// <summary>Largest share of non-blank lines ending with an ellipsis ("..." or '…') (<c>ellipsis_lines.max</c>).</summary>
    public double? MaxEllipsisLineFraction { get; init; } = 0.3;

    /// <summary>Largest share of non-blank lines that repeat an earlier line (<c>duplicate_lines.max</c>).</summary>
    public double? MaxDuplicateLineFraction { get; init; } = 0.3;

    /// <summary>
    /// For each n, the largest share of word characters covered by the most frequent word n-gram
    /// (its count times its characters) (<c>top_ngram.max</c>).
    /// </summary>
    public IReadOnlyDictionary<int, double>? MaxTopNgramFraction { get; init; } =
        new Dictionary<int, double> { [2] = 0.20, [3] = 0.18, [4] = 0.16 };

    /// <summary>
    /// For each n, the largest share of word characters inside repeated word n-grams (each repeat
    /// after the first, scanning left to right and skipping past a repeat) (<c>duplicate_ngram.max</c>).
    /// </summary>
    public IReadOnlyDictionary<int, double>? MaxDuplicateNgramFraction { get; init; } =
        new Dictionary<int, double> { [5] = 0.15, [6] = 0.14, [7] = 0.13, [8] = 0.12, [9] = 0.11, [10] = 0.10 };

    /// <summary>Every rule off.</summary>
    public static QualityFilterOptions None { get; } = new()
    {
        MinWords = null,
        MaxWords = null,
        MinMeanWordLength = null,
        MaxMeanWordLength = null,
        MaxSymbolRatio = null,
        MaxDigitRatio = null,
        MinAlphaWordFraction = null,
        MaxBulletLineFraction = null,
        MaxEllipsisLineFraction = null,
        MaxDuplicateLineFraction = null,
        MaxTopNgramFraction = null,
        MaxDuplicateNgramFraction = null,
    };
}
