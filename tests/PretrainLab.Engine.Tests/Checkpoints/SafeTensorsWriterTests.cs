using System.Buffers.Binary;
using System.Text;
using PretrainLab.Engine.Checkpoints;

namespace PretrainLab.Engine.Tests.Checkpoints;

public sealed class SafeTensorsWriterTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Save_TinyFile_MatchesHandBuiltBytes()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("a", [2], [1.0f, -2.0f]);
        writer.Add("b", [], [0x0102030405060708L]);
        writer.Metadata["format"] = "pt";
        string path = _dir.File("tiny.safetensors");

        writer.Save(path);

        const string json = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]}}";
        Assert.Equal(138, json.Length);
        byte[] expected =
        [
            0x90, 0, 0, 0, 0, 0, 0, 0, // header length 144 = 138 bytes of JSON + 6 spaces
            .. Encoding.ASCII.GetBytes(json),
            .. "      "u8.ToArray(),
            0x00, 0x00, 0x80, 0x3F, // 1.0f
            0x00, 0x00, 0x00, 0xC0, // -2.0f
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, // 0x0102030405060708L
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("weights")]
    [InlineData("transformer.h.0.attn.c_attn.weight")]
    [InlineData("a+b<é>")]
    public void Save_HeaderLengthIsMultipleOfEightAndPaddedWithSpaces(string name)
    {
        var writer = new SafeTensorsWriter();
        writer.Add(name, [3], [1f, 2f, 3f]);
        string path = _dir.File("aligned.safetensors");
        writer.Save(path);

        byte[] bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, headerLength % 8);
        Assert.Equal(8 + (long)headerLength + 12, bytes.Length);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        string trimmed = header.TrimEnd(' ');
        Assert.EndsWith("}", trimmed);
        Assert.True(header.Length - trimmed.Length < 8, "padding must be shorter than 8 bytes");
    }

    [Fact]
    public void Save_WithoutMetadata_OmitsMetadataKey()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("w", [1], [5f]);
        string path = _dir.File("nometa.safetensors");
        writer.Save(path);

        string text = Encoding.UTF8.GetString(File.ReadAllBytes(path));
        Assert.DoesNotContain("__metadata__", text);
    }

    [Fact]
    public void Save_WritesTensorsContiguouslyInAddedOrder()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("z", [2, 2], [1f, 2f, 3f, 4f]);
        writer.Add("a", [3], [7, 8, 9]);
        writer.Add("m", [1], [10L]);
        string path = _dir.File("order.safetensors");
        writer.Save(path);

        using var reader = SafeTensorsReader.Open(path);
        var z = reader.Tensors["z"];
        var a = reader.Tensors["a"];
        var m = reader.Tensors["m"];
        Assert.Equal((0L, 16L), (z.DataBegin, z.DataEnd));
        Assert.Equal((16L, 28L), (a.DataBegin, a.DataEnd));
        Assert.Equal((28L, 36L), (m.DataBegin, m.DataEnd));
        Assert.Equal(new FileInfo(path).Length, m.FileOffset + m.ByteLength);
    }

    [Fact]
    public void Add_CopiesData_SoLaterBufferChangesDoNotLeakIntoFile()
    {
        var writer = new SafeTensorsWriter();
        float[] buffer = [1f, 2f];
        writer.Add("w", [2], buffer);
        buffer[0] = 99f;
        string path = _dir.File("copy.safetensors");
        writer.Save(path);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal([1f, 2f], reader.ReadFloat32("w"));
    }

    [Fact]
    public void Add_DuplicateName_ThrowsNamingTensor()
    {
        var writer = new SafeTensorsWriter();
        writer.Add("dup.weight", [1], [1f]);
        var ex = Assert.Throws<ArgumentException>(() => writer.Add("dup.weight", [1], [2]));
        Assert.Contains("dup.weight", ex.Message);
        Assert.Equal(1, writer.Count);
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, 5)]
    [InlineData(new[] { 2, 3 }, 7)]
    [InlineData(new int[0], 0)]
    [InlineData(new int[0], 2)]
    [InlineData(new[] { 0 }, 1)]
    [InlineData(new[] { 65536, 65536, 65536, 65536 }, 4)]
    public void Add_ShapeDataMismatch_ThrowsNamingTensor(int[] shape, int length)
    {
        var writer = new SafeTensorsWriter();
        var ex = Assert.Throws<ArgumentException>(() => writer.Add("bad.tensor", shape, new float[length]));
        Assert.Contains("bad.tensor", ex.Message);
        Assert.Equal(0, writer.Count);
    }

    [Fact]
    public void Add_NegativeDimension_ThrowsNamingTensor()
    {
        var writer = new SafeTensorsWriter();
        var ex = Assert.Throws<ArgumentException>(() => writer.Add("neg", [-1, -2], new float[2]));
        Assert.Contains("neg", ex.Message);
        Assert.Contains("-1", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("__metadata__")]
    public void Add_EmptyOrReservedName_Throws(string name)
    {
        var writer = new SafeTensorsWriter();
        Assert.Throws<ArgumentException>(() => writer.Add(name, [1], [1f]));
    }

    [Fact]
    public void Save_LeavesNoTemporaryFile_AndOverwritesExistingFile()
    {
        string path = _dir.File("model.safetensors");
        File.WriteAllText(path, "stale contents that are not a checkpoint");

        var writer = new SafeTensorsWriter();
        writer.Add("w", [2], [3f, 4f]);
        writer.Save(path);

        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal([path], Directory.GetFiles(_dir.Path));
        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal([3f, 4f], reader.ReadFloat32("w"));
    }

    [Fact]
    public void Save_ToMissingDirectory_ThrowsAndLeavesNothingBehind()
    {
        string path = Path.Combine(_dir.Path, "missing", "model.safetensors");
        var writer = new SafeTensorsWriter();
        writer.Add("w", [1], [1f]);

        Assert.Throws<DirectoryNotFoundException>(() => writer.Save(path));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void Save_EmptyWriter_WritesValidEmptyFile()
    {
        string path = _dir.File("empty.safetensors");
        new SafeTensorsWriter().Save(path);

        byte[] expected = [8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}', 32, 32, 32, 32, 32, 32];
        Assert.Equal(expected, File.ReadAllBytes(path));
        using var reader = SafeTensorsReader.Open(path);
        Assert.Empty(reader.Tensors);
        Assert.Empty(reader.Metadata);
    }

    [Fact]
    public void Save_MetadataKeysAreWrittenInOrdinalOrder()
    {
        var writer = new SafeTensorsWriter();
        writer.Metadata["zeta"] = "1";
        writer.Metadata["Alpha"] = "2";
        writer.Metadata["beta"] = "3";
        string path = _dir.File("meta.safetensors");
        writer.Save(path);

        string text = Encoding.UTF8.GetString(File.ReadAllBytes(path));
        Assert.Contains("{\"__metadata__\":{\"Alpha\":\"2\",\"beta\":\"3\",\"zeta\":\"1\"}}", text);
    }
}
