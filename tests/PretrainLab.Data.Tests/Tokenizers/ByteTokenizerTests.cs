using System.Text;
using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

public sealed class ByteTokenizerTests
{
    [Fact]
    public void VocabSize_Is256()
    {
        Assert.Equal(256, ByteTokenizer.VocabSize);
    }

    [Fact]
    public void Encode_Ascii_GivesByteValues()
    {
        Assert.Equal([72, 105, 33, 10], ByteTokenizer.Encode("Hi!\n"));
        Assert.Empty(ByteTokenizer.Encode(""));
    }

    [Fact]
    public void Encode_NonAscii_GivesUtf8Bytes()
    {
        // é = C3 A9, € = E2 82 AC, 🚀 = F0 9F 9A 80
        Assert.Equal([0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x9A, 0x80], ByteTokenizer.Encode("é€🚀"));
    }

    [Theory]
    [InlineData("To be, or not to be: that is the question.")]
    [InlineData("Ünïcödé façade — naïve café")]
    [InlineData("Привет, мир! Γειά σου κόσμε")]
    [InlineData("你好，世界。こんにちは世界。안녕하세요")]
    [InlineData("مرحبا بالعالم שלום עולם")]
    [InlineData("emoji 🚀🔥👩‍👩‍👧‍👦 flags 🇫🇷🇯🇵 skin 👍🏽")]
    [InlineData("control \u0000\t\r\n and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math")]
    public void RoundTrip_MultilingualText_IsLossless(string text)
    {
        int[] tokens = ByteTokenizer.Encode(text);

        Assert.Equal(Encoding.UTF8.GetByteCount(text), tokens.Length);
        Assert.All(tokens, t => Assert.InRange(t, 0, ByteTokenizer.VocabSize - 1));
        Assert.Equal(text, ByteTokenizer.Decode(tokens));
    }

    [Fact]
    public void EncodeBytes_AndDecodeBytes_AreIdentityOnAllByteValues()
    {
        byte[] bytes = Enumerable.Range(0, 256).Select(i => (byte)i).Reverse().ToArray();
        int[] tokens = ByteTokenizer.EncodeBytes(bytes);

        Assert.Equal(bytes.Select(b => (int)b), tokens);
        Assert.Equal(bytes, ByteTokenizer.DecodeBytes(tokens));
    }

    [Fact]
    public void Decode_InvalidUtf8_GivesReplacementCharacter()
    {
        // A rocket cut after two of its four bytes, as a sampled sequence may end.
        Assert.Equal("a\uFFFD", ByteTokenizer.Decode([0x61, 0xF0, 0x9F]));
    }

    [Theory]
    [InlineData(256, 1)]
    [InlineData(-1, 2)]
    [InlineData(int.MaxValue, 0)]
    public void Decode_TokenOutsideVocabulary_ThrowsWithPositionAndValue(int badToken, int position)
    {
        int[] tokens = [65, 66, 67];
        tokens[position] = badToken;

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ByteTokenizer.Decode(tokens));
        Assert.Contains($"Token {badToken} at position {position}", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ByteTokenizer.DecodeBytes(tokens));
    }
}
