using PretrainLab.Data.Shards;

namespace PretrainLab.Data.Tests.Shards;

public sealed class TokenShardWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(TokenShard.Version, 65536)]
    [InlineData(TokenShard.WideVersion, 1 << 20)]
    public void AppendingInPieces_EqualsOneWrite(int version, int vocab)
    {
        var random = new Random(version);
        int[] tokens = Enumerable.Range(0, 100_000).Select(_ => random.Next(vocab)).ToArray();
        string streamed = _dir.File("streamed.bin");
        using (var writer = new TokenShardWriter(streamed, version))
        {
            for (int start = 0; start < tokens.Length;)
            {
                int length = Math.Min(random.Next(1, 50_000), tokens.Length - start);
                writer.Append(tokens.AsSpan(start, length));
                start += length;
            }
            Assert.Equal(tokens.Length, writer.Count);
            writer.Complete();
        }

        string whole = _dir.File("whole.bin");
        if (version == TokenShard.Version)
            TokenShard.Write(whole, tokens.Select(t => (ushort)t).ToArray());
        else
            TokenShard.Write(whole, tokens.Select(t => (uint)t).ToArray());
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(streamed));
        Assert.Equal(2, Directory.GetFiles(_dir.Path).Length);
    }

    [Fact]
    public void TokenTooWideForVersion1_IsRejectedAndNothingOfTheCallIsWritten()
    {
        string path = _dir.File("narrow.bin");
        using var writer = new TokenShardWriter(path, TokenShard.Version);
        writer.Append([1, 2]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => writer.Append([3, 65536]));
        Assert.Contains("65536", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Append([-1]));
        writer.Complete();
        using var shard = TokenShard.Open(path);
        Assert.Equal(2, shard.Count);
    }

    [Fact]
    public void DisposingWithoutComplete_LeavesNoFile()
    {
        string path = _dir.File("abandoned.bin");
        using (var writer = new TokenShardWriter(path, TokenShard.WideVersion))
            writer.Append([1, 2, 3]);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void UnknownVersion_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenShardWriter(_dir.File("x.bin"), 3));
}
