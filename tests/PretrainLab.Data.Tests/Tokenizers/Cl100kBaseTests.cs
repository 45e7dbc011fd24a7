using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

public sealed class Cl100kBaseTests(Cl100kBaseFixture fixture) : TiktokenConformanceTests(fixture), IClassFixture<Cl100kBaseFixture>
{
    private readonly TiktokenEncoding _encoding = fixture.Encoding;

    [Fact]
    public void HasCl100kVocabularySizeAndSpecials()
    {
        Assert.Equal(100277, _encoding.VocabSize);
        Assert.Equal(100257, _encoding.SpecialTokens[TiktokenEncoding.EndOfText]);
        Assert.Equal(100276, _encoding.SpecialTokens["<|endofprompt|>"]);
        Assert.Same(TokenizerPattern.Cl100k, _encoding.Pattern);
    }

    [Fact]
    public void UnusedIdsBetweenRanksAndSpecialsAreRejected()
    {
        Assert.Equal(0, _encoding.TokenByteLengths[100256]);
        Assert.Throws<ArgumentOutOfRangeException>(() => _encoding.Decode([100256]));
    }
}
