using System.Text;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

/// <summary>Checks shared by every pretrained tiktoken encoding; a subclass per rank file supplies the fixture.</summary>
public abstract class TiktokenConformanceTests(EncodingFixture fixture)
{
    private TiktokenEncoding Encoding => fixture.Encoding;

    [Fact]
    public void FixtureCoversTheRequiredVariety()
    {
        Assert.True(fixture.Cases.Count >= 60);
        Assert.Equal(fixture.Pattern, Encoding.Pattern.Expression);
    }

    [Fact]
    public void EncodeMatchesReferenceIdsForEveryFixtureString()
    {
        var mismatches = fixture.Cases
            .Where(c => !Encoding.Encode(c.Text).AsSpan().SequenceEqual(c.Ids))
            .Select(c => $"{Escape(c.Text)}: expected [{string.Join(", ", c.Ids)}], got [{string.Join(", ", Encoding.Encode(c.Text))}]")
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public void SplitterGivesTheReferencePiecesForEveryFixtureString()
    {
        foreach (var c in fixture.Cases)
            Assert.Equal(c.Pieces, SplitPieces.Of(Encoding.Pattern, c.Text));
    }

    [Fact]
    public void EncodeWithAllSpecialsAllowedMatchesReferenceIds()
    {
        foreach (var c in fixture.SpecialCases)
            Assert.Equal(c.Ids, Encoding.Encode(c.Text, Encoding.SpecialTokens.Keys));
    }

    [Fact]
    public void SpanStringAndOrdinaryOverloadsAgree()
    {
        foreach (var c in fixture.Cases)
        {
            Assert.Equal(c.Ids, Encoding.Encode(c.Text.AsSpan()));
            Assert.Equal(c.Ids, Encoding.EncodeOrdinary(c.Text));
            Assert.Equal(c.Ids, Encoding.Encode(c.Text, []));
        }
    }

    [Fact]
    public void DecodeRestoresTheUtf8BytesOfEveryFixtureString()
    {
        foreach (var c in fixture.Cases)
        {
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(c.Text), Encoding.Decode(c.Ids));
            Assert.Equal(c.Text, Encoding.DecodeToString(c.Ids));
        }
    }

    [Fact]
    public void SpecialTokenTextIsOrdinaryUnlessAllowed()
    {
        int endOfText = Encoding.SpecialTokens[TiktokenEncoding.EndOfText];
        Assert.DoesNotContain(endOfText, Encoding.Encode("a<|endoftext|>b"));
        Assert.Equal([endOfText], Encoding.Encode("<|endoftext|>", [TiktokenEncoding.EndOfText]));
        Assert.Equal(Encoding.Encode("x").Append(endOfText).Concat(Encoding.Encode(" y")), Encoding.Encode("x<|endoftext|> y", [TiktokenEncoding.EndOfText]));
        Assert.Equal("<|endoftext|>", Encoding.DecodeToString([endOfText]));
        Assert.Throws<ArgumentException>(() => Encoding.Encode("x", ["<|not_a_special|>"]));
    }

    [Fact]
    public void TokenByteLengthsCountTextBytesAndZeroForSpecials()
    {
        var lengths = Encoding.TokenByteLengths;
        Assert.Equal(Encoding.VocabSize, lengths.Length);
        foreach (int id in Encoding.SpecialTokens.Values)
            Assert.Equal(0, lengths[id]);
        foreach (var c in fixture.Cases)
        {
            long total = 0;
            foreach (int id in c.Ids)
                total += lengths[id];
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(c.Text), total);
        }
    }

    [Fact]
    public void DecodeRejectsIdsOutsideTheVocabulary()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Encoding.Decode([-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Encoding.Decode([0, Encoding.VocabSize]));
    }

    [Fact]
    public void RandomUnicodeRoundTripsThroughValidOrdinaryIds()
    {
        var random = new RandomText(seed: 20240520);
        var lengths = Encoding.TokenByteLengths.ToArray();
        for (int n = 0; n < 3000; n++)
        {
            string text = random.Next(24);
            int[] ids = Encoding.Encode(text);
            Assert.All(ids, id => Assert.True((uint)id < (uint)lengths.Length && lengths[id] > 0, $"id {id} for {Escape(text)}"));
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(text), Encoding.Decode(ids));
        }
    }

    [Fact]
    public void LoneSurrogatesEncodeAsReplacementCharacters()
    {
        var random = new RandomText(seed: 7);
        string[] texts = ["\uD800", "\uDC00", "a\uD83Db", "\uDE00\uD83D", "x \uD800\n", .. Enumerable.Range(0, 300).Select(_ => random.NextWithLoneSurrogates(12))];
        foreach (string text in texts)
        {
            int[] ids = Encoding.Encode(text);
            Assert.Equal(Encoding.Encode(ReplaceLoneSurrogates(text)), ids);
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(text), Encoding.Decode(ids));
        }
    }

    [Fact]
    public void HeapMergeAgreesWithTiktokensScanMerge()
    {
        var random = new Random(99);
        var text = new RandomText(seed: 99);
        for (int n = 0; n < 400; n++)
        {
            byte[] piece = n % 4 == 0
                ? Enumerable.Range(0, random.Next(2, 300)).Select(_ => (byte)random.Next(256)).ToArray()
                : System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 8).Select(_ => text.Next(6))));
            if (piece.Length < 2)
                continue;
            Assert.Equal(Merge(piece, heap: false), Merge(piece, heap: true));
        }
    }

    [Fact]
    public void EncodingIsSafeAcrossThreads()
    {
        var texts = fixture.Cases.Select(c => c.Text).ToArray();
        var expected = texts.Select(t => Encoding.Encode(t)).ToArray();
        Parallel.For(0, 4 * texts.Length, i => Assert.Equal(expected[i % texts.Length], Encoding.Encode(texts[i % texts.Length])));
    }

    private int[] Merge(byte[] piece, bool heap)
    {
        var output = new TokenBuffer(16);
        if (heap)
            BytePairEncoder.MergeByHeap(piece, Encoding.Ranks, ref output);
        else
            BytePairEncoder.MergeByScan(piece, Encoding.Ranks, ref output);
        int[] ids = output.Items.ToArray();
        output.Dispose();
        return ids;
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                result.Append(text, i++, 2);
            else
                result.Append(char.IsSurrogate(text[i]) ? '\uFFFD' : text[i]);
        }
        return result.ToString();
    }

    private static string Escape(string text) =>
        string.Concat(text.EnumerateRunes().Select(r => r.Value is >= 0x20 and < 0x7F ? r.ToString() : $"\\u{{{r.Value:X}}}"));
}
