namespace PretrainLab.Data.Tests;

/// <summary>Synthetic text for cleaning tests: random words from a fixed vocabulary of pronounceable nonsense.</summary>
internal static class TextCorpora
{
    private static readonly string[] Vocabulary = BuildVocabulary();

    public static string[] Words(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]).ToArray();

    /// <summary>A document of <paramref name="words"/> words in sentences of 12 and lines of 4 sentences.</summary>
    public static string Document(Random random, int words)
    {
        var text = new System.Text.StringBuilder();
        string[] picked = Words(random, words);
        for (int i = 0; i < picked.Length; i++)
        {
            text.Append(i % 12 == 0 ? char.ToUpperInvariant(picked[i][0]) + picked[i][1..] : picked[i]);
            text.Append(i % 48 == 47 ? ".\n" : i % 12 == 11 ? ". " : " ");
        }
        return text.ToString().TrimEnd() + ".";
    }

    private static string[] BuildVocabulary()
    {
        var random = new Random(2024);
        const string consonants = "bcdfghklmnprstvw", vowels = "aeiou";
        var words = new HashSet<string>();
        while (words.Count < 5000)
        {
            int syllables = random.Next(1, 4);
            var word = new System.Text.StringBuilder();
            for (int s = 0; s < syllables; s++)
                word.Append(consonants[random.Next(consonants.Length)]).Append(vowels[random.Next(vowels.Length)]);
            if (random.Next(2) == 0)
                word.Append(consonants[random.Next(consonants.Length)]);
            words.Add(word.ToString());
        }
        return [.. words.Order(StringComparer.Ordinal)];
    }
}
