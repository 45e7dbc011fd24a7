namespace PretrainLab.Lab.Recipes;

/// <summary>
/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), used to suggest the key a
/// misspelt one was meant to be.
/// </summary>
public static class EditDistance
{
    /// <summary>The number of single-character insertions, deletions, substitutions and adjacent swaps from a to b.</summary>
    public static int Between(string a, string b)
    {
        // Three rolling rows: the transposition case looks two rows back.
        var before = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    current[j] = Math.Min(current[j], before[j - 2] + 1);
            }
            (before, previous, current) = (previous, current, before);
        }
        return previous[b.Length];
    }

    /// <summary>
    /// The candidate closest to <paramref name="word"/>, ignoring case, or null when none is close. Close means
    /// within a third of the word's length in edits (at least one, so short keys still get a suggestion for a
    /// single typo), or one being a prefix of the other, as <c>optimizer</c> is of <c>optim</c>.
    /// </summary>
    public static string? Closest(string word, IEnumerable<string> candidates)
    {
        var limit = Math.Max(1, word.Length / 3);
        var lower = word.ToLowerInvariant();
        return candidates
            .Select(c => (Candidate: c, Lower: c.ToLowerInvariant()))
            .Select(c => (c.Candidate, Distance: Between(lower, c.Lower), Prefix: IsPrefixPair(lower, c.Lower)))
            .Where(c => c.Distance <= limit || c.Prefix)
            .OrderBy(c => c.Distance)
            .Select(c => c.Candidate)
            .FirstOrDefault();
    }

    // Three characters at least, so that a stray `e` does not suggest `eps`.
    private static bool IsPrefixPair(string a, string b) =>
        Math.Min(a.Length, b.Length) >= 3
        && (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal));
}
