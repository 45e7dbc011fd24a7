using System.Buffers.Binary;
using PretrainLab.Data.Shards;

namespace PretrainLab.Data.Tests.Shards;

public sealed class TokenShardTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Write_ProducesHandBuiltBytes()
    {
        string path = _dir.File("tiny.bin");
        TokenShard.Write(path, [1, 0x1234, 65535]);

        var expected = new byte[1024 + 6];
        byte[] slots = [
            0x88, 0xD8, 0x34, 0x01, // 20240520 = 0x0134D888
            0x01, 0x00, 0x00, 0x00, // version 1
            0x03, 0x00, 0x00, 0x00, // 3 tokens
        ];
        slots.CopyTo(expected, 0);
        byte[] tokens = [0x01, 0x00, 0x34, 0x12, 0xFF, 0xFF];
        tokens.CopyTo(expected, 1024);
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void RoundTrip_ExposesEveryToken()
    {
        var random = new Random(7);
        ushort[] tokens = Enumerable.Range(0, 10_000).Select(_ => (ushort)random.Next(65536)).ToArray();
        tokens[0] = 0;
        tokens[^1] = ushort.MaxValue;
        string path = _dir.File("round.bin");
        TokenShard.Write(path, tokens);

        using var shard = TokenShard.Open(path);
        Assert.Equal(Path.GetFullPath(path), shard.Path);
        Assert.Equal(tokens.Length, shard.Count);
        for (int i = 0; i < tokens.Length; i++)
            Assert.Equal(tokens[i], shard[i]);
        Assert.Equal(tokens, shard.Slice(0, tokens.Length).ToArray());
        Assert.Equal(tokens[100..250], shard.Slice(100, 150).ToArray());

        var widened = new int[tokens.Length];
        shard.CopyTo(0, widened);
        Assert.Equal(tokens.Select(t => (int)t), widened);
    }

    [Fact]
    public void CopyTo_AnyOffsetAndLength_MatchesScalarWidening()
    {
        // Values above 32767 catch a sign-extending widen; odd offsets and lengths exercise the vector tail.
        ushort[] tokens = Enumerable.Range(0, 300).Select(i => (ushort)(65535 - i * 211)).ToArray();
        string path = _dir.File("copy.bin");
        TokenShard.Write(path, tokens);

        using var shard = TokenShard.Open(path);
        foreach (int start in new[] { 0, 1, 3, 17, 100 })
        {
            for (int length = 0; length <= 140; length++)
            {
                var destination = new int[length + 2];
                destination[0] = destination[^1] = -7;
                shard.CopyTo(start, destination.AsSpan(1, length));
                Assert.Equal(-7, destination[0]);
                Assert.Equal(-7, destination[^1]);
                Assert.Equal(tokens.Skip(start).Take(length).Select(t => (int)t), destination.Skip(1).Take(length));
            }
        }
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 11)]
    [InlineData(5, 6)]
    [InlineData(10, 1)]
    [InlineData(11, 0)]
    [InlineData(long.MaxValue, 1)]
    public void CopyToAndSlice_OutOfRange_Throw(long start, int length)
    {
        string path = _dir.File("bounds.bin");
        TokenShard.Write(path, new ushort[10]);

        using var shard = TokenShard.Open(path);
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.CopyTo(start, new int[length]));
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.Slice(start, length).ToArray());
    }

    [Fact]
    public void CopyToAndSlice_EmptyRangeAtEnd_IsAllowed()
    {
        string path = _dir.File("end.bin");
        TokenShard.Write(path, [4, 5]);

        using var shard = TokenShard.Open(path);
        shard.CopyTo(2, Span<int>.Empty);
        Assert.Equal(0, shard.Slice(2, 0).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.Slice(0, -1).ToArray());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(long.MinValue)]
    public void Indexer_OutOfRange_Throws(long index)
    {
        string path = _dir.File("index.bin");
        TokenShard.Write(path, [1, 2, 3]);

        using var shard = TokenShard.Open(path);
        Assert.Throws<ArgumentOutOfRangeException>(() => shard[index]);
    }

    [Fact]
    public void EmptyShard_RoundTrips()
    {
        string path = _dir.File("empty.bin");
        TokenShard.Write(path, ReadOnlySpan<ushort>.Empty);

        Assert.Equal(1024, new FileInfo(path).Length);
        using var shard = TokenShard.Open(path);
        Assert.Equal(0, shard.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => shard[0]);
    }

    [Fact]
    public void AccessAfterDispose_ThrowsObjectDisposed()
    {
        string path = _dir.File("disposed.bin");
        TokenShard.Write(path, [1, 2]);

        var shard = TokenShard.Open(path);
        shard.Dispose();
        shard.Dispose();
        Assert.Throws<ObjectDisposedException>(() => shard[0]);
        Assert.Throws<ObjectDisposedException>(() => shard.CopyTo(0, new int[1]));
        Assert.Throws<ObjectDisposedException>(() => shard.Slice(0, 1).ToArray());
    }

    [Fact]
    public void Write_LeavesNoTemporaryFile_AndReplacesExistingShard()
    {
        string path = _dir.File("replace.bin");
        TokenShard.Write(path, [9, 9, 9, 9]);
        TokenShard.Write(path, [1, 2]);

        Assert.Equal([path], Directory.GetFiles(_dir.Path));
        using var shard = TokenShard.Open(path);
        Assert.Equal(2, shard.Count);
        Assert.Equal([(ushort)1, (ushort)2], shard.Slice(0, 2).ToArray());
    }

    [Fact]
    public void Write_ToMissingDirectory_ThrowsAndLeavesNothingBehind()
    {
        string path = Path.Combine(_dir.Path, "missing", "shard.bin");
        Assert.Throws<DirectoryNotFoundException>(() => TokenShard.Write(path, [1]));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void Open_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => TokenShard.Open(_dir.File("absent.bin")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(1023)]
    public void Open_FileShorterThanHeader_Throws(int length)
    {
        var bytes = new byte[length];
        if (length >= 12)
            WriteSlots(bytes, TokenShard.Magic, 1, 0);
        var ex = AssertInvalid(bytes);
        Assert.Contains($"{length} bytes", ex.Message);
        Assert.Contains("1024", ex.Message);
    }

    [Fact]
    public void Open_WrongMagic_SaysFoundAndExpected()
    {
        byte[] bytes = ShardBytes(TokenShard.Magic + 1, 1, 0, tokens: 0);
        var ex = AssertInvalid(bytes);
        Assert.Contains("20240521", ex.Message);
        Assert.Contains("20240520", ex.Message);
    }

    [Fact]
    public void Open_RawNanoGptBin_IsRejectedAsWrongMagic()
    {
        // nanoGPT's own .bin has no header: tokens straight away.
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        var ex = AssertInvalid(bytes);
        Assert.Contains("magic", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-1)]
    public void Open_UnsupportedVersion_Throws(int version)
    {
        var ex = AssertInvalid(ShardBytes(TokenShard.Magic, version, 0, tokens: 0));
        Assert.Contains($"version {version}", ex.Message);
    }

    [Fact]
    public void Open_NegativeCount_Throws()
    {
        var ex = AssertInvalid(ShardBytes(TokenShard.Magic, 1, -5, tokens: 0));
        Assert.Contains("-5", ex.Message);
        Assert.Contains("negative", ex.Message);
    }

    [Theory]
    [InlineData(10, 9)]
    [InlineData(10, 11)]
    [InlineData(0, 1)]
    [InlineData(int.MaxValue, 3)]
    public void Open_SizeNotMatchingCount_SaysBothSizes(int count, int actualTokens)
    {
        byte[] bytes = ShardBytes(TokenShard.Magic, 1, count, actualTokens);
        var ex = AssertInvalid(bytes);
        Assert.Contains($"{bytes.Length} bytes", ex.Message);
        Assert.Contains($"{1024 + 2L * count}", ex.Message);
    }

    [Fact]
    public void Open_OddTrailingByte_Throws()
    {
        byte[] bytes = [.. ShardBytes(TokenShard.Magic, 1, 2, tokens: 2), 0];
        AssertInvalid(bytes);
    }

    [Fact]
    public void Truncation_AtEveryPosition_OnlyCompleteFileOpens()
    {
        string source = _dir.File("source.bin");
        TokenShard.Write(source, Enumerable.Range(0, 50).Select(i => (ushort)(i * 1000)).ToArray());
        byte[] full = File.ReadAllBytes(source);
        string path = _dir.File("truncated.bin");

        for (int length = 0; length <= full.Length; length++)
        {
            File.WriteAllBytes(path, full.AsSpan(0, length).ToArray());
            Exception? error = Record.Exception(() => TokenShard.Open(path).Dispose());
            if (length == full.Length)
            {
                Assert.Null(error);
            }
            else
            {
                var invalid = Assert.IsType<InvalidDataException>(error);
                Assert.Contains(path, invalid.Message);
            }
        }
    }

    [Fact]
    public void RandomHeaderByteFlips_RejectCorruptSlotsAndNeverThrowAnythingElse()
    {
        string source = _dir.File("source.bin");
        ushort[] tokens = Enumerable.Range(0, 40).Select(i => (ushort)(i * 37)).ToArray();
        TokenShard.Write(source, tokens);
        byte[] full = File.ReadAllBytes(source);
        string path = _dir.File("flipped.bin");
        var random = new Random(20240520);

        for (int trial = 0; trial < 1000; trial++)
        {
            byte[] bytes = (byte[])full.Clone();
            // Half the trials corrupt the magic/version/count slots; the rest hit anywhere in the header.
            int position = trial % 2 == 0 ? random.Next(12) : random.Next(1024);
            byte replacement;
            do
                replacement = (byte)random.Next(256);
            while (replacement == bytes[position]);
            bytes[position] = replacement;
            File.WriteAllBytes(path, bytes);

            Exception? error = Record.Exception(() =>
            {
                using var shard = TokenShard.Open(path);
                Assert.Equal(tokens, shard.Slice(0, (int)shard.Count).ToArray());
            });
            if (position < 12)
                Assert.IsType<InvalidDataException>(error);
            else
                Assert.Null(error); // Slots 3..255 are reserved and ignored, as llm.c does.
        }
    }

    [Fact]
    public void WideShard_HandBuiltBytes_AndRoundTrip()
    {
        string path = _dir.File("wide.bin");
        TokenShard.Write(path, [1u, 65536u, 100_277u]);

        var expected = new byte[1024 + 12];
        WriteSlots(expected, TokenShard.Magic, 2, 3);
        byte[] tokens = [0x01, 0, 0, 0, 0x00, 0x00, 0x01, 0x00, 0xB5, 0x87, 0x01, 0x00];
        tokens.CopyTo(expected, 1024);
        Assert.Equal(expected, File.ReadAllBytes(path));

        using var shard = TokenShard.Open(path);
        Assert.Equal(TokenShard.WideVersion, shard.FormatVersion);
        Assert.Equal(4, shard.BytesPerToken);
        Assert.Equal(3, shard.Count);
        Assert.Equal(65536u, shard[1]);
        var widened = new int[2];
        shard.CopyTo(1, widened);
        Assert.Equal([65536, 100_277], widened);
        Assert.Equal(100_277u, shard.MaxToken());
        Assert.Throws<InvalidOperationException>(() => shard.Slice(0, 1).ToArray());
    }

    [Theory]
    [InlineData(256, 1)]
    [InlineData(65536, 1)]
    [InlineData(65537, 2)]
    [InlineData(100_277, 2)]
    public void VersionFor_UsesUint16WhileEveryIdFits(int vocabSize, int version) =>
        Assert.Equal(version, TokenShard.VersionFor(vocabSize));

    [Fact]
    public void MaxToken_FindsTheLargestAtAnyPosition()
    {
        for (int length = 1; length < 70; length += 3)
        {
            for (int at = 0; at < length; at += 5)
            {
                var tokens = Enumerable.Range(0, length).Select(i => (ushort)(i % 7)).ToArray();
                tokens[at] = 60000;
                string path = _dir.File("max.bin");
                TokenShard.Write(path, tokens);
                using var shard = TokenShard.Open(path);
                Assert.Equal(60000u, shard.MaxToken());
            }
        }
        TokenShard.Write(_dir.File("none.bin"), ReadOnlySpan<ushort>.Empty);
        using var empty = TokenShard.Open(_dir.File("none.bin"));
        Assert.Null(empty.MaxToken());
    }

    [Fact]
    public void WideShard_SizeForUint16Count_IsRejected()
    {
        // A version-2 header over a body sized for uint16 tokens: the header and body disagree.
        byte[] bytes = ShardBytes(TokenShard.Magic, 2, 10, tokens: 10);
        var ex = AssertInvalid(bytes);
        Assert.Contains("version 2", ex.Message);
        Assert.Contains($"{1024 + 4 * 10}", ex.Message);
    }

    private static byte[] ShardBytes(int magic, int version, int count, int tokens)
    {
        var bytes = new byte[1024 + 2 * tokens];
        WriteSlots(bytes, magic, version, count);
        return bytes;
    }

    private static void WriteSlots(byte[] bytes, int magic, int version, int count)
    {
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), count);
    }

    private InvalidDataException AssertInvalid(byte[] bytes)
    {
        string path = _dir.File("bad.bin");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => TokenShard.Open(path).Dispose());
        Assert.Contains(path, ex.Message);
        return ex;
    }
}
