using System.Text;
using System.Text.RegularExpressions;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

public sealed class BpeTrainerTests
{
    private static readonly string Shakespeare = File.ReadAllText(TestFiles.TinyShakespeare);

    [Fact]
    public void MergesEqualNaiveReferenceOnShakespeare()
    {
        string text = Shakespeare[..30_000];
        var trainer = new BpeTrainer(256 + 250 + 1, TokenizerPattern.Gpt2, [TiktokenEncoding.EndOfText]);
        var (_, merges) = trainer.Learn([text]);
        Assert.Equal(250, merges.Count);
        Assert.Equal(NaiveMerges([text], TokenizerPattern.Gpt2Expression, [TiktokenEncoding.EndOfText], 256 + 250), merges);
    }

    [Fact]
    public void MergesEqualNaiveReferenceOnMultilingualText()
    {
        // Many distinct pieces seen once or twice: long stretches of tied counts.
        var random = new RandomText(seed: 5);
        string[] texts = Enumerable.Range(0, 200).Select(_ => BmpOnly(random.Next(16))).ToArray();
        var trainer = new BpeTrainer(256 + 400, TokenizerPattern.Cl100k);
        var (_, merges) = trainer.Learn(texts);
        Assert.Equal(NaiveMerges(texts, TokenizerPattern.Cl100kExpression, [], 256 + 400), merges);
    }

    [Fact]
    public void TiesGoToTheLowestPairIdsAndTrainingStopsWhenNoPairIsLeft()
    {
        // Pieces "ab" and " cd": three pairs seen once each.
        var (vocabulary, merges) = new BpeTrainer(1000, TokenizerPattern.Gpt2).Learn(["ab cd"]);
        Assert.Equal([(' ', 'c', 256), ('a', 'b', 257), (256, 'd', 258)], merges);
        Assert.Equal(259, vocabulary.Count);
    }

    [Fact]
    public void OverlappingPairsCountEachPosition()
    {
        string[] texts = ["aaaaa", "aaa bbb aaaa", "abababab"];
        var (_, merges) = new BpeTrainer(300, TokenizerPattern.Gpt2).Learn(texts);
        Assert.Equal(NaiveMerges(texts, TokenizerPattern.Gpt2Expression, [], 300), merges);
        Assert.Equal(('a', 'a', 256), merges[0]);
    }

    [Fact]
    public void CuttingLongTextsForParallelCountingDoesNotChangeTheResult()
    {
        // A non-preset pattern with the same matches is never cut, so it gives the uncut result.
        var cut = new BpeTrainer(256 + 60, TokenizerPattern.Gpt2).Learn([Shakespeare]).Merges;
        var uncut = new BpeTrainer(256 + 60, TokenizerPattern.FromRegex(TokenizerPattern.Gpt2Expression + "|(?!)")).Learn([Shakespeare]).Merges;
        Assert.Equal(uncut, cut);
    }

    [Fact]
    public void TrainedEncodingRoundTripsUnseenText()
    {
        var encoding = new BpeTrainer(256 + 300 + 1, TokenizerPattern.Cl100k, [TiktokenEncoding.EndOfText]).Train(Shakespeare[..50_000]);
        Assert.Equal(557, encoding.VocabSize);
        Assert.Equal(556, encoding.SpecialTokens[TiktokenEncoding.EndOfText]);
        var random = new RandomText(seed: 11);
        for (int n = 0; n < 500; n++)
        {
            string text = random.Next(20);
            int[] ids = encoding.Encode(text);
            Assert.All(ids, id => Assert.InRange(id, 0, 555));
            Assert.Equal(Encoding.UTF8.GetBytes(text), encoding.Decode(ids));
        }
        Assert.True(encoding.Encode(Shakespeare[..50_000]).Length < 50_000 / 2);
    }

    [Fact]
    public void SpecialTokensInTrainingTextAreCutOutAndGetTheLastIds()
    {
        string text = string.Concat(Enumerable.Repeat("hello world<|endoftext|>", 100));
        var encoding = new BpeTrainer(300, TokenizerPattern.Gpt2, ["<|endoftext|>", "<|pad|>"]).Train(text);
        // "hello" and " world" run out of pairs after 9 merges; the specials follow the last one.
        Assert.Equal(256 + 9 + 2, encoding.VocabSize);
        Assert.Equal(265, encoding.SpecialTokens["<|endoftext|>"]);
        Assert.Equal(266, encoding.SpecialTokens["<|pad|>"]);
        int[] helloWorld = encoding.Encode("hello world");
        Assert.Equal(2, helloWorld.Length);
        Assert.Equal([.. helloWorld, 265], encoding.Encode("hello world<|endoftext|>", ["<|endoftext|>"]));
        Assert.Equal(Encoding.UTF8.GetBytes("<|endoftext|>").Select(b => (int)b), encoding.Encode("<|endoftext|>"));
    }

    [Fact]
    public void SavedTokenizerDirectoryLoadsBackIdentically()
    {
        using var directory = new TempDirectory();
        var pattern = TokenizerPattern.FromRegex(@"\p{L}+|\p{N}|\s+|[^\s\p{L}\p{N}]+");
        var trained = new BpeTrainer(256 + 200 + 1, pattern, [TiktokenEncoding.EndOfText]).Train(Shakespeare[..20_000]);
        trained.SaveDirectory(directory.Path);
        var loaded = TiktokenEncoding.LoadDirectory(directory.Path);
        Assert.Equal(trained.VocabSize, loaded.VocabSize);
        Assert.Equal(pattern.Expression, loaded.Pattern.Expression);
        Assert.Equal(trained.SpecialTokens, loaded.SpecialTokens);
        Assert.Equal(trained.TokenByteLengths.ToArray(), loaded.TokenByteLengths.ToArray());
        string sample = Shakespeare[20_000..30_000] + "<|endoftext|>";
        Assert.Equal(trained.Encode(sample, [TiktokenEncoding.EndOfText]), loaded.Encode(sample, [TiktokenEncoding.EndOfText]));
        string settings = File.ReadAllText(directory.File(TiktokenEncoding.SettingsFileName));
        Assert.Contains("\"vocab_size\": 457", settings);
        Assert.Contains("\"<|endoftext|>\": 456", settings);
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BpeTrainer(256, TokenizerPattern.Gpt2, ["<|x|>"]));
        Assert.Throws<ArgumentException>(() => new BpeTrainer(300, TokenizerPattern.Gpt2, ["<|x|>", "<|x|>"]));
        Assert.Throws<ArgumentException>(() => new BpeTrainer(300, TokenizerPattern.Gpt2, [""]));
    }

    /// <summary>
    /// BPE training straight from the definition: recount every adjacent pair after each merge,
    /// take the most frequent (ties: lowest left id, then lowest right id), replace it left to right.
    /// Pieces come from .NET Regex, which is exact for the BMP-only texts used here.
    /// </summary>
    private static List<(int Left, int Right, int Token)> NaiveMerges(IEnumerable<string> texts, string expression, string[] specials, int ordinaryVocabSize)
    {
        var regex = new Regex(expression);
        var pieceCounts = new Dictionary<string, long>();
        foreach (string text in texts)
        {
            var parts = specials.Length == 0 ? [text] : Regex.Split(text, string.Join("|", specials.Select(Regex.Escape)));
            foreach (Match match in parts.SelectMany(p => regex.Matches(p)))
                pieceCounts[match.Value] = pieceCounts.GetValueOrDefault(match.Value) + 1;
        }
        var pieces = pieceCounts.Select(p => (Tokens: Encoding.UTF8.GetBytes(p.Key).Select(b => (int)b).ToList(), Count: p.Value)).ToList();
        var vocabulary = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        var merges = new List<(int Left, int Right, int Token)>();
        while (vocabulary.Count < ordinaryVocabSize)
        {
            var pairCounts = new Dictionary<(int Left, int Right), long>();
            foreach (var (tokens, count) in pieces)
            {
                for (int i = 0; i + 1 < tokens.Count; i++)
                    pairCounts[(tokens[i], tokens[i + 1])] = pairCounts.GetValueOrDefault((tokens[i], tokens[i + 1])) + count;
            }
            if (pairCounts.Count == 0)
                break;
            var (left, right) = pairCounts.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Left).ThenBy(p => p.Key.Right).First().Key;
            byte[] bytes = [.. vocabulary[left], .. vocabulary[right]];
            int token = vocabulary.FindIndex(v => v.AsSpan().SequenceEqual(bytes));
            if (token < 0)
            {
                token = vocabulary.Count;
                vocabulary.Add(bytes);
            }
            merges.Add((left, right, token));
            foreach (var (tokens, _) in pieces)
            {
                for (int i = 0; i + 1 < tokens.Count; i++)
                {
                    if (tokens[i] == left && tokens[i + 1] == right)
                    {
                        tokens[i] = token;
                        tokens.RemoveAt(i + 1);
                    }
                }
            }
        }
        return merges;
    }

    private static string BmpOnly(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
            result.Append(rune.IsBmp && rune.Value != 0x17F ? (char)rune.Value : 'x');
        return result.ToString();
    }
}
