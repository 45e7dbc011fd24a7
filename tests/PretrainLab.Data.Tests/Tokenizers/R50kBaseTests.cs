using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

public sealed class R50kBaseTests(R50kBaseFixture fixture) : TiktokenConformanceTests(fixture), IClassFixture<R50kBaseFixture>
{
    private readonly TiktokenEncoding _encoding = fixture.Encoding;

    [Fact]
    public void HasGpt2VocabularySizeAndEndOfText()
    {
        Assert.Equal(50257, _encoding.VocabSize);
        Assert.Equal(50256, _encoding.SpecialTokens[TiktokenEncoding.EndOfText]);
        Assert.Same(TokenizerPattern.Gpt2, _encoding.Pattern);
    }

    /// <summary>
    /// llm.c's tinyshakespeare preparation (see shared data README): sections split at "\n\n",
    /// each preceded by end-of-text and encoded with its "\n\n" put back (except the last),
    /// giving 32,768 validation plus 305,260 training tokens.
    /// </summary>
    [Fact]
    public void TinyShakespeareGivesLlmCsTokenCount()
    {
        string[] sections = File.ReadAllText(TestFiles.TinyShakespeare).Split("\n\n");
        int endOfText = _encoding.SpecialTokens[TiktokenEncoding.EndOfText];
        var tokens = new List<int>();
        for (int i = 0; i < sections.Length; i++)
        {
            tokens.Add(endOfText);
            tokens.AddRange(_encoding.Encode(i < sections.Length - 1 ? sections[i] + "\n\n" : sections[i]));
        }
        Assert.Equal(32_768 + 305_260, tokens.Count);
    }
}
