using PretrainLab.Data.Tokenizers;

namespace PretrainLab.Data.Tests.Tokenizers;

public sealed class TiktokenRankFileTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    /// <summary>The 256 single-byte tokens, rank = byte value, one line each.</summary>
    private static string ByteLines(int firstRank = 0) =>
        string.Concat(Enumerable.Range(0, 256).Select(b => $"{Convert.ToBase64String([(byte)b])} {firstRank + b}\n"));

    [Theory]
    [InlineData("IQ== 0\n!!!! 1\n", 2, "base64")]
    [InlineData("IQ== 0\nIg==\n", 2, "rank is missing")]
    [InlineData("IQ== 0\nIg== \n", 2, "rank is missing")]
    [InlineData("IQ== 0\nIg== 0\n", 2, "already used on line 1")]
    [InlineData("IQ== 0\n\nIg== x1\n", 3, "not a non-negative integer")]
    [InlineData("IQ== -1\n", 1, "not a non-negative integer")]
    [InlineData("IQ== 0\nIQ== 1\n", 2, "already listed on line 1")]
    [InlineData("IQ== 99999999\n", 1, "not below")]
    [InlineData("", 1, "no tokens")]
    [InlineData("\n\n", 2, "no tokens")]
    public void MalformedRankFilesNameTheFileAndLine(string content, int line, string problem)
    {
        string path = _directory.File("bad.tiktoken");
        File.WriteAllText(path, content);
        var error = Assert.Throws<InvalidDataException>(() => TiktokenEncoding.Load(path, TokenizerPattern.Gpt2));
        Assert.Contains(path, error.Message);
        Assert.Contains($"line {line}:", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void TruncatedOrCorruptedRankFiles_GiveOnlyClearErrors()
    {
        // The first 400 lines of r50k_base: every single byte, then merges. Any prefix or any byte
        // changed either still reads as a rank file or fails with an InvalidDataException naming the file.
        byte[] source = File.ReadAllLines(TestFiles.Fixture("r50k_base.tiktoken")).Take(400)
            .SelectMany(l => System.Text.Encoding.ASCII.GetBytes(l + "\n")).ToArray();
        string path = _directory.File("fuzz.tiktoken");
        var random = new Random(50256);
        var trials = Enumerable.Range(0, 300).Select(_ => source[..random.Next(source.Length)])
            .Concat(Enumerable.Range(0, 300).Select(_ =>
            {
                byte[] bytes = (byte[])source.Clone();
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return bytes;
            }));
        int rejected = 0;
        foreach (byte[] bytes in trials)
        {
            File.WriteAllBytes(path, bytes);
            var error = Record.Exception(() => TiktokenRankFile.Read(path));
            if (error is null)
                continue;
            var invalid = Assert.IsType<InvalidDataException>(error);
            Assert.Contains(path, invalid.Message);
            rejected++;
        }
        Assert.True(rejected > 300, $"only {rejected} of 600 damaged files were rejected");
    }

    [Fact]
    public void MissingSingleByteTokenIsRejected()
    {
        string path = _directory.File("short.tiktoken");
        File.WriteAllText(path, string.Join("", ByteLines().Split('\n').Where(l => !l.StartsWith("QQ==", StringComparison.Ordinal)).Select(l => l + "\n")));
        var error = Assert.Throws<InvalidDataException>(() => TiktokenEncoding.Load(path, TokenizerPattern.Gpt2));
        Assert.Contains(path, error.Message);
        Assert.Contains("0x41", error.Message);
    }

    [Fact]
    public void CrLfLineEndsAndBlankLinesAreAccepted()
    {
        string path = _directory.File("crlf.tiktoken");
        File.WriteAllText(path, "\n" + ByteLines(firstRank: 10).Replace("\n", "\r\n") + "\r\n" + $"{Convert.ToBase64String("ab"u8)} 3\r\n");
        var encoding = TiktokenEncoding.Load(path, TokenizerPattern.Gpt2);
        Assert.Equal(266, encoding.VocabSize);
        Assert.Equal([3, 10 + 'c'], encoding.Encode("abc"));
        Assert.Equal(0, encoding.TokenByteLengths[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => encoding.Decode([0]));
    }

    [Fact]
    public void SpecialTokensMayNotReuseAnId()
    {
        string path = _directory.File("ok.tiktoken");
        File.WriteAllText(path, ByteLines());
        Assert.Throws<ArgumentException>(() => TiktokenEncoding.Load(path, TokenizerPattern.Gpt2, new Dictionary<string, int> { ["<|x|>"] = 255 }));
        Assert.Throws<ArgumentException>(() => TiktokenEncoding.Load(path, TokenizerPattern.Gpt2, new Dictionary<string, int> { ["<|x|>"] = 300, ["<|y|>"] = 300 }));
        Assert.Equal(301, TiktokenEncoding.Load(path, TokenizerPattern.Gpt2, new Dictionary<string, int> { ["<|x|>"] = 300 }).VocabSize);
    }

    [Fact]
    public void SavedPretrainedRankFileIsByteIdenticalToTheOriginal()
    {
        string original = TestFiles.Fixture("r50k_base.tiktoken");
        TiktokenEncoding.LoadR50kBase(original).SaveDirectory(_directory.Path);
        Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(_directory.File(TiktokenEncoding.RankFileName)));
        var reloaded = TiktokenEncoding.LoadDirectory(_directory.Path);
        Assert.Equal(50257, reloaded.VocabSize);
        Assert.Same(TokenizerPattern.Gpt2, reloaded.Pattern);
        Assert.Equal(50256, reloaded.SpecialTokens[TiktokenEncoding.EndOfText]);
        Assert.Equal([15496, 11, 995, 0], reloaded.Encode("Hello, world!"));
    }

    [Fact]
    public void SettingsThatDisagreeWithTheRankFileAreRejected()
    {
        File.WriteAllText(_directory.File(TiktokenEncoding.RankFileName), ByteLines());
        string settings = _directory.File(TiktokenEncoding.SettingsFileName);
        File.WriteAllText(settings, """{"pattern": "\\w+", "special_tokens": {}, "vocab_size": 300}""");
        var error = Assert.Throws<InvalidDataException>(() => TiktokenEncoding.LoadDirectory(_directory.Path));
        Assert.Contains("vocab_size", error.Message);
        File.WriteAllText(settings, """{"pattern": "\\w+", "vocab_size": 256}""");
        error = Assert.Throws<InvalidDataException>(() => TiktokenEncoding.LoadDirectory(_directory.Path));
        Assert.Contains(settings, error.Message);
        File.WriteAllText(settings, """{"pattern": "\\w+", "special_tokens": {"<|x|>": 3}, "vocab_size": 256}""");
        Assert.Throws<InvalidDataException>(() => TiktokenEncoding.LoadDirectory(_directory.Path));
    }
}
