using System.Buffers.Binary;
using PretrainLab.Engine.Checkpoints;

namespace PretrainLab.Engine.Tests.Checkpoints;

public sealed class SafeTensorsMalformedTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void FileShorterThanEightBytes(int length)
    {
        AssertInvalid(new byte[length], "shorter than the 8-byte");
    }

    [Fact]
    public void HeaderLengthLargerThanFile()
    {
        byte[] bytes = RawSafeTensors.Build("{}", []);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 3);
        AssertInvalid(bytes, "extends past the end");
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(1UL << 40)]
    [InlineData(ulong.MaxValue)]
    public void HeaderLengthAboveLimit(ulong declared)
    {
        byte[] bytes = RawSafeTensors.Build("{}", []);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declared);
        AssertInvalid(bytes, "limit");
    }

    [Fact]
    public void HeaderNotUtf8()
    {
        byte[] bytes = RawSafeTensors.Build("{\"a\":1}", []);
        bytes[10] = 0xFF; // inside the key "a"
        AssertInvalid(bytes, "UTF-8");
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"a\":", "not valid JSON")]
    [InlineData("{'a':{}}", "not valid JSON")]
    [InlineData("{\"a\":{},}", "not valid JSON")]
    [InlineData("[1,2]", "not an object")]
    [InlineData("\"header\"", "not an object")]
    [InlineData("42", "not an object")]
    [InlineData("null", "not an object")]
    public void HeaderNotJsonObject(string header, string problem)
    {
        AssertInvalid(RawSafeTensors.Build(header, []), problem);
    }

    [Theory]
    // Entry shape
    [InlineData("{\"t\":[]}", 0, "'t' entry is a JSON Array")]
    [InlineData("{\"t\":\"F32\"}", 0, "'t' entry is a JSON String")]
    // Missing or mistyped fields
    [InlineData("{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'t' has no string \"dtype\"")]
    [InlineData("{\"t\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'t' has no string \"dtype\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "'t' has no \"shape\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", 4, "'t' has no \"shape\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "'t' has no \"data_offsets\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4, "'t' has no \"data_offsets\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8, "'t' has no \"data_offsets\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4, "'t' has no \"data_offsets\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,\"4\"]}}", 4, "'t' has no \"data_offsets\"")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.5]}}", 4, "'t' has no \"data_offsets\"")]
    // Unknown dtypes (tokens are case-sensitive)
    [InlineData("{\"t\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype 'F128'")]
    [InlineData("{\"t\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "unknown dtype 'f32'")]
    // Dimensions
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "negative dimension -1")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2,-3],\"data_offsets\":[0,4]}}", 4, "negative dimension -3")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, "non-integer dimension 1.5")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", 4, "non-integer dimension")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,4]}}", 4, "above the supported maximum")]
    // Offsets outside the data section
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "beyond the 4-byte data section")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[9,9]}}", 4, "beyond the 4-byte data section")]
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8, "begin after end")]
    // Byte length not matching shape * dtype size
    [InlineData("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 8, "has 4 data bytes but shape [2] of F32 needs 8")]
    [InlineData("{\"t\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", 16, "has 16 data bytes but shape [2, 2] of BF16 needs 8")]
    [InlineData("{\"t\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,4]}}", 8, "needs 8")]
    [InlineData("{\"t\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", 8, "needs more bytes than a file can hold")]
    // Overlaps and duplicates
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 12, "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "'a' appears more than once")]
    // Metadata
    [InlineData("{\"__metadata__\":[]}", 0, "\"__metadata__\" is a JSON Array")]
    [InlineData("{\"__metadata__\":{\"epoch\":3}}", 0, "metadata value for key 'epoch' is a JSON Number")]
    [InlineData("{\"__metadata__\":{\"k\":\"v\"},\"__metadata__\":{}}", 0, "more than one \"__metadata__\"")]
    public void MalformedHeader(string header, int dataBytes, string problem)
    {
        AssertInvalid(RawSafeTensors.Build(header, new byte[dataBytes]), problem);
    }

    [Fact]
    public void AdjacentAndEmptyTensorsDoNotCountAsOverlapping()
    {
        byte[] bytes = RawSafeTensors.Build(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
            + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            new byte[8]);
        string path = _dir.File("adjacent.safetensors");
        File.WriteAllBytes(path, bytes);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(3, reader.Tensors.Count);
    }

    [Fact]
    public void TruncationAtEveryPosition_OnlyCompleteFileOpens()
    {
        byte[] full = ValidFileBytes();
        string path = _dir.File("truncated.safetensors");

        for (int length = 0; length <= full.Length; length++)
        {
            File.WriteAllBytes(path, full.AsSpan(0, length).ToArray());
            Exception? error = Record.Exception(() => OpenAndReadEverything(path));
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
    public void RandomHeaderByteFlips_ThrowOnlyInvalidDataException()
    {
        byte[] full = ValidFileBytes();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(full);
        string path = _dir.File("flipped.safetensors");
        var random = new Random(20240520);
        int failures = 0;

        for (int trial = 0; trial < 1500; trial++)
        {
            byte[] bytes = (byte[])full.Clone();
            int flips = 1 + random.Next(3);
            for (int f = 0; f < flips; f++)
            {
                int position = random.Next(headerEnd);
                bytes[position] = trial % 2 == 0 ? (byte)random.Next(256) : (byte)(bytes[position] ^ (1 << random.Next(8)));
            }
            File.WriteAllBytes(path, bytes);

            Exception? error = Record.Exception(() => OpenAndReadEverything(path));
            if (error is not null)
            {
                Assert.IsType<InvalidDataException>(error);
                failures++;
            }
        }

        // Most flips hit structure, numbers or names-in-use; a vacuous pass would mean nothing was checked.
        Assert.True(failures > 500, $"only {failures} of 1500 corrupted files were rejected");
    }

    private static byte[] ValidFileBytes()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("transformer.wte.weight", [3, 2], [1f, 2f, 3f, 4f, 5f, 6f]);
        writer.Add("ids", [2], [7, 8]);
        writer.Add("step", [], [9L]);
        writer.Metadata["format"] = "pt";
        using var dir = new TempDirectory();
        string path = dir.File("valid.safetensors");
        writer.Save(path);
        return File.ReadAllBytes(path);
    }

    private static void OpenAndReadEverything(string path)
    {
        using var reader = SafeTensorsReader.Open(path);
        foreach (var info in reader.Tensors.Values)
        {
            if (info.DType is "F32" or "F64" or "F16" or "BF16")
                reader.ReadFloat32(info.Name);
            else if (info.DType is "I32" or "I64")
                reader.ReadInt64(info.Name);
        }
    }

    private void AssertInvalid(byte[] bytes, string problem)
    {
        string path = _dir.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(path).Dispose());
        Assert.Contains(path, ex.Message);
        Assert.Contains(problem, ex.Message);
    }
}
