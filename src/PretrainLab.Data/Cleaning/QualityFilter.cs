using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using PretrainLab.Data.Hashing;

namespace PretrainLab.Data.Cleaning;

/// <summary>
/// Heuristic quality rules in the spirit of Gopher's (Rae et al., 2021), each with its own limits in
/// <see cref="QualityFilterOptions"/> and each switchable. Words are the whitespace-separated tokens
/// of the text; lines are cut at '\n' and trimmed, blank ones ignored; word n-grams compare words
/// case-insensitively. Rules run in the order of <see cref="RuleNames"/> and the first one failed
/// is the reason a document is dropped. Thread-safe.
/// </summary>
public sealed class QualityFilter
{
    /// <summary>The rules' names as configurations and reports write them, in evaluation order.</summary>
    public static IReadOnlyList<string> RuleNames { get; } =
    [
        "words", "mean_word_length", "symbol_ratio", "digit_ratio", "alpha_words",
        "bullet_lines", "ellipsis_lines", "duplicate_lines", "top_ngram", "duplicate_ngram",
    ];

    private static readonly SearchValues<char> Bullets = SearchValues.Create("•‣◦⁃▪▫●○■□–—-*·");

    [ThreadStatic]
    private static Scratch? t_scratch;

    private readonly QualityFilterOptions _options;
    private readonly (int N, double Max)[] _topNgram;
    private readonly (int N, double Max)[] _duplicateNgram;

    /// <summary>Sets up the rules.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An n-gram size is below 1.</exception>
    public QualityFilter(QualityFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _topNgram = Ordered(options.MaxTopNgramFraction);
        _duplicateNgram = Ordered(options.MaxDuplicateNgramFraction);
    }

    /// <summary>Null when <paramref name="text"/> passes every rule, else the first rule it fails.</summary>
    public QualityRejection? Check(ReadOnlySpan<char> text)
    {
        var scratch = t_scratch ??= new Scratch();
        scratch.Clear();
        var o = _options;

        long wordChars = 0;
        int alphaWords = 0, hashes = 0, ellipses = 0, digits = 0, nonSpace = 0;
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool space = i == text.Length || char.IsWhiteSpace(text[i]);
            if (!space)
            {
                char c = text[i];
                nonSpace++;
                if (char.IsDigit(c))
                    digits++;
                else if (c == '#')
                    hashes++;
                else if (c == '…')
                    ellipses++;
                if (start < 0)
                    start = i;
                continue;
            }
            if (start < 0)
                continue;
            var word = text[start..i];
            scratch.WordHashes.Add(StableHash.OfLowercase(word));
            scratch.WordLengths.Add(word.Length);
            wordChars += word.Length;
            if (ContainsLetter(word))
                alphaWords++;
            ellipses += Count(word, "...");
            start = -1;
        }

        int words = scratch.WordHashes.Count;
        if (o.MinWords is { } minWords && words < minWords)
            return Reject("words", $"{words} words < {minWords}");
        if (o.MaxWords is { } maxWords && words > maxWords)
            return Reject("words", $"{words} words > {maxWords}");

        double meanLength = words == 0 ? 0 : (double)wordChars / words;
        if (o.MinMeanWordLength is { } minMean && meanLength < minMean)
            return Reject("mean_word_length", $"mean word length {F(meanLength)} < {F(minMean)}");
        if (o.MaxMeanWordLength is { } maxMean && meanLength > maxMean)
            return Reject("mean_word_length", $"mean word length {F(meanLength)} > {F(maxMean)}");

        if (o.MaxSymbolRatio is { } maxSymbols)
        {
            double hashRatio = Ratio(hashes, words), ellipsisRatio = Ratio(ellipses, words);
            if (hashRatio > maxSymbols)
                return Reject("symbol_ratio", $"'#' per word {F(hashRatio)} > {F(maxSymbols)}");
            if (ellipsisRatio > maxSymbols)
                return Reject("symbol_ratio", $"ellipses per word {F(ellipsisRatio)} > {F(maxSymbols)}");
        }

        double digitRatio = Ratio(digits, nonSpace);
        if (o.MaxDigitRatio is { } maxDigits && digitRatio > maxDigits)
            return Reject("digit_ratio", $"digit share {F(digitRatio)} > {F(maxDigits)}");

        double alpha = Ratio(alphaWords, words);
        if (o.MinAlphaWordFraction is { } minAlpha && alpha < minAlpha)
            return Reject("alpha_words", $"share of words with a letter {F(alpha)} < {F(minAlpha)}");

        if (o.MaxBulletLineFraction is not null || o.MaxEllipsisLineFraction is not null || o.MaxDuplicateLineFraction is not null)
        {
            int lines = 0, bullets = 0, ellipsisLines = 0, duplicates = 0;
            foreach (var range in text.Split('\n'))
            {
                var line = text[range].Trim();
                if (line.IsEmpty)
                    continue;
                lines++;
                if (Bullets.Contains(line[0]))
                    bullets++;
                if (line.EndsWith("...", StringComparison.Ordinal) || line[^1] == '…')
                    ellipsisLines++;
                if (!scratch.Lines.Add(StableHash.OfLowercase(line)))
                    duplicates++;
            }
            if (o.MaxBulletLineFraction is { } maxBullets && Ratio(bullets, lines) > maxBullets)
                return Reject("bullet_lines", $"share of lines starting with a bullet {F(Ratio(bullets, lines))} > {F(maxBullets)}");
            if (o.MaxEllipsisLineFraction is { } maxEllipsis && Ratio(ellipsisLines, lines) > maxEllipsis)
                return Reject("ellipsis_lines", $"share of lines ending with an ellipsis {F(Ratio(ellipsisLines, lines))} > {F(maxEllipsis)}");
            if (o.MaxDuplicateLineFraction is { } maxDuplicate && Ratio(duplicates, lines) > maxDuplicate)
                return Reject("duplicate_lines", $"share of repeated lines {F(Ratio(duplicates, lines))} > {F(maxDuplicate)}");
        }

        var hashesSpan = CollectionsMarshal.AsSpan(scratch.WordHashes);
        var lengths = CollectionsMarshal.AsSpan(scratch.WordLengths);
        foreach (var (n, max) in _topNgram)
        {
            double share = TopNgramShare(hashesSpan, lengths, n, wordChars, scratch);
            if (share > max)
                return Reject("top_ngram", $"most frequent {n}-gram covers {F(share)} of the characters > {F(max)}");
        }
        foreach (var (n, max) in _duplicateNgram)
        {
            double share = DuplicateNgramShare(hashesSpan, lengths, n, wordChars, scratch);
            if (share > max)
                return Reject("duplicate_ngram", $"repeated {n}-grams cover {F(share)} of the characters > {F(max)}");
        }
        return null;
    }

    private static double TopNgramShare(ReadOnlySpan<ulong> words, ReadOnlySpan<int> lengths, int n, long wordChars, Scratch scratch)
    {
        if (words.Length < n || wordChars == 0)
            return 0;
        scratch.NgramCounts.Clear();
        long best = 0;
        int chars = 0;
        for (int i = 0; i < n; i++)
            chars += lengths[i];
        for (int i = 0; ; i++)
        {
            ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(scratch.NgramCounts, StableHash.OfSequence(words.Slice(i, n)), out _);
            count++;
            // Equal n-grams have equal lengths, so count × this occurrence's length is the n-gram's coverage.
            if (count > 1)
                best = Math.Max(best, (long)count * chars);
            if (i + n == words.Length)
                break;
            chars += lengths[i + n] - lengths[i];
        }
        return (double)best / wordChars;
    }

    // As datatrove's Gopher repetition filter: a repeat adds its characters and the scan jumps past it.
    private static double DuplicateNgramShare(ReadOnlySpan<ulong> words, ReadOnlySpan<int> lengths, int n, long wordChars, Scratch scratch)
    {
        if (words.Length < n || wordChars == 0)
            return 0;
        scratch.Ngrams.Clear();
        long repeated = 0;
        int i = 0;
        while (i + n <= words.Length)
        {
            if (scratch.Ngrams.Add(StableHash.OfSequence(words.Slice(i, n))))
            {
                i++;
                continue;
            }
            for (int k = i; k < i + n; k++)
                repeated += lengths[k];
            i += n;
        }
        return (double)repeated / wordChars;
    }

    private static (int N, double Max)[] Ordered(IReadOnlyDictionary<int, double>? limits)
    {
        if (limits is null)
            return [];
        foreach (int n in limits.Keys)
            ArgumentOutOfRangeException.ThrowIfLessThan(n, 1, nameof(limits));
        return limits.OrderBy(l => l.Key).Select(l => (l.Key, l.Value)).ToArray();
    }

    private static bool ContainsLetter(ReadOnlySpan<char> word)
    {
        foreach (char c in word)
        {
            if (char.IsLetter(c))
                return true;
        }
        return false;
    }

    private static int Count(ReadOnlySpan<char> text, string value)
    {
        int count = 0;
        for (int at; (at = text.IndexOf(value, StringComparison.Ordinal)) >= 0; text = text[(at + value.Length)..])
            count++;
        return count;
    }

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static QualityRejection Reject(string rule, string detail) => new(rule, detail);

    private sealed class Scratch
    {
        public List<ulong> WordHashes { get; } = [];

        public List<int> WordLengths { get; } = [];

        public HashSet<ulong> Lines { get; } = [];

        public HashSet<ulong> Ngrams { get; } = [];

        public Dictionary<ulong, int> NgramCounts { get; } = [];

        public void Clear()
        {
            WordHashes.Clear();
            WordLengths.Clear();
            Lines.Clear();
        }
    }
}
