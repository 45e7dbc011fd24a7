using System.Runtime.InteropServices;
using PretrainLab.Engine.Checkpoints;

namespace PretrainLab.Engine.Tests.Checkpoints;

public sealed class SafeTensorsReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RoundTrip_SeveralTensorsAndMetadata()
    {
        var random = new Random(1234);
        float[] wte = Enumerable.Range(0, 6 * 4).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] bias = [float.MinValue, -0f, float.Epsilon, float.MaxValue, float.NaN, float.PositiveInfinity];
        int[] counts = [int.MinValue, -1, 0, 1, int.MaxValue];
        long[] step = [long.MaxValue];

        var writer = new SafeTensorsWriter();
        writer.Add("transformer.wte.weight", [6, 4], wte);
        writer.Add("transformer.ln_f.bias", [6], bias);
        writer.Add("counts", [5], counts);
        writer.Add("step", [], step);
        writer.Add("empty", [0, 3], ReadOnlySpan<float>.Empty);
        writer.Metadata["format"] = "pt";
        writer.Metadata["note"] = "ünïcode ✓ 🚀";
        string path = _dir.File("model.safetensors");
        writer.Save(path);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(Path.GetFullPath(path), reader.Path);
        Assert.Equal(2, reader.Metadata.Count);
        Assert.Equal("pt", reader.Metadata["format"]);
        Assert.Equal("ünïcode ✓ 🚀", reader.Metadata["note"]);
        Assert.Equal(5, reader.Tensors.Count);

        var info = reader.Tensors["transformer.wte.weight"];
        Assert.Equal("transformer.wte.weight", info.Name);
        Assert.Equal("F32", info.DType);
        Assert.Equal(4, info.ElementSize);
        Assert.Equal([6, 4], info.Shape);
        Assert.Equal(24, info.ElementCount);
        Assert.Equal(96, info.ByteLength);

        Assert.Equal(wte, reader.ReadFloat32("transformer.wte.weight"));
        Assert.Equal(
            bias.Select(BitConverter.SingleToInt32Bits),
            reader.ReadFloat32("transformer.ln_f.bias").Select(BitConverter.SingleToInt32Bits));
        Assert.Equal("I32", reader.Tensors["counts"].DType);
        Assert.Equal(counts.Select(c => (long)c), reader.ReadInt64("counts"));
        Assert.Equal("I64", reader.Tensors["step"].DType);
        Assert.Empty(reader.Tensors["step"].Shape);
        Assert.Equal(1, reader.Tensors["step"].ElementCount);
        Assert.Equal(step, reader.ReadInt64("step"));
        Assert.Equal(0, reader.Tensors["empty"].ElementCount);
        Assert.Empty(reader.ReadFloat32("empty"));
    }

    [Fact]
    public void ReadFloat32_IntoSpan_FillsDestination()
    {
        string path = _dir.File("span.safetensors");
        var writer = new SafeTensorsWriter();
        writer.Add("w", [3], [1f, 2f, 3f]);
        writer.Save(path);

        using var reader = SafeTensorsReader.Open(path);
        Span<float> destination = stackalloc float[3];
        reader.ReadFloat32("w", destination);
        Assert.Equal([1f, 2f, 3f], destination.ToArray());
    }

    [Fact]
    public void RoundTrip_TensorsLargerThanReadChunks()
    {
        // 600k elements: more than one 1 MiB conversion chunk for I32 -> I64 and a multi-MiB F32 copy.
        int n = 600_000;
        float[] floats = Enumerable.Range(0, n).Select(i => i * 0.5f).ToArray();
        int[] ints = Enumerable.Range(0, n).Select(i => i * 3 - n).ToArray();
        var writer = new SafeTensorsWriter();
        writer.Add("f", [n], floats);
        writer.Add("i", [n / 1000, 1000], ints);
        string path = _dir.File("large.safetensors");
        writer.Save(path);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(floats, reader.ReadFloat32("f"));
        Assert.Equal(ints.Select(i => (long)i), reader.ReadInt64("i"));
    }

    [Fact]
    public void ReadFloat32_ConvertsF64()
    {
        double[] values = [1.5, -2.25, 1e-3, 3.0e38, Math.PI];
        byte[] data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        string path = WriteRaw("f64.safetensors", "{\"x\":{\"dtype\":\"F64\",\"shape\":[5],\"data_offsets\":[0,40]}}", data);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(values.Select(v => (float)v), reader.ReadFloat32("x"));
    }

    [Fact]
    public void ReadFloat32_ConvertsF64_AcrossChunkBoundaries()
    {
        double[] values = Enumerable.Range(0, 300_000).Select(i => i / 7.0).ToArray();
        byte[] data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        string path = WriteRaw("f64big.safetensors", $"{{\"x\":{{\"dtype\":\"F64\",\"shape\":[300000],\"data_offsets\":[0,{data.Length}]}}}}", data);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal(values.Select(v => (float)v), reader.ReadFloat32("x"));
    }

    [Fact]
    public void ReadFloat32_ConvertsF16()
    {
        // 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, 65504 = 0x7BFF, smallest subnormal = 0x0001.
        byte[] data = [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38, 0xFF, 0x7B, 0x01, 0x00];
        string path = WriteRaw("f16.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]}}", data);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal([1f, -2f, 0.5f, 65504f, 5.9604645e-8f], reader.ReadFloat32("h"));
    }

    [Fact]
    public void ReadFloat32_ConvertsBF16()
    {
        // bf16 is the top 16 bits of a float32: 1.0 = 0x3F80, -2.0 = 0xC000, 3.140625 = 0x4049.
        byte[] data = [0x80, 0x3F, 0x00, 0xC0, 0x49, 0x40];
        string path = WriteRaw("bf16.safetensors", "{\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]}}", data);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal([1f, -2f, 3.140625f], reader.ReadFloat32("b"));
    }

    [Fact]
    public void ReadInt64_OfI32_SignExtends()
    {
        byte[] data = [0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x00, 0x00, 0x00];
        string path = WriteRaw("i32.safetensors", "{\"t\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal([-1L, 2L], reader.ReadInt64("t"));
    }

    [Fact]
    public void Open_ForeignFileWithOtherStandardDtypes_ListsThem_ButRefusesConversion()
    {
        string path = WriteRaw(
            "u8.safetensors",
            "{\"mask\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]},\"ids\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[2,4]}}",
            [1, 0, 7, 0]);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal("BOOL", reader.Tensors["mask"].DType);
        Assert.Equal("U16", reader.Tensors["ids"].DType);
        var ex = Assert.Throws<InvalidDataException>(() => reader.ReadFloat32("mask"));
        Assert.Contains("mask", ex.Message);
        Assert.Contains("BOOL", ex.Message);
        Assert.Contains(path, ex.Message);
        Assert.Throws<InvalidDataException>(() => reader.ReadInt64("ids"));
    }

    [Fact]
    public void ReadFloat32_OfIntegerTensor_Throws()
    {
        string path = _dir.File("int.safetensors");
        var writer = new SafeTensorsWriter();
        writer.Add("ids", [2], [1L, 2L]);
        writer.Add("w", [1], [1f]);
        writer.Save(path);

        using var reader = SafeTensorsReader.Open(path);
        var ex = Assert.Throws<InvalidDataException>(() => reader.ReadFloat32("ids"));
        Assert.Contains("I64", ex.Message);
        Assert.Throws<InvalidDataException>(() => reader.ReadInt64("w"));
    }

    [Fact]
    public void ReadFloat32_WrongDestinationLength_Throws()
    {
        string path = _dir.File("len.safetensors");
        var writer = new SafeTensorsWriter();
        writer.Add("w", [2, 2], [1f, 2f, 3f, 4f]);
        writer.Save(path);

        using var reader = SafeTensorsReader.Open(path);
        var ex = Assert.Throws<ArgumentException>(() => reader.ReadFloat32("w", new float[3]));
        Assert.Contains("'w'", ex.Message);
        Assert.Throws<ArgumentException>(() => reader.ReadFloat32("w", new float[5]));
    }

    [Fact]
    public void UnknownTensorName_ThrowsKeyNotFoundNamingNameAndFile()
    {
        string path = _dir.File("known.safetensors");
        var writer = new SafeTensorsWriter();
        writer.Add("w", [1], [1f]);
        writer.Save(path);

        using var reader = SafeTensorsReader.Open(path);
        var ex = Assert.Throws<KeyNotFoundException>(() => reader.ReadFloat32("lm_head.weight"));
        Assert.Contains("lm_head.weight", ex.Message);
        Assert.Contains(path, ex.Message);
        Assert.Throws<KeyNotFoundException>(() => reader.ReadInt64("nope"));
    }

    [Fact]
    public void Read_AfterDispose_ThrowsObjectDisposed()
    {
        string path = _dir.File("disposed.safetensors");
        var writer = new SafeTensorsWriter();
        writer.Add("w", [1], [1f]);
        writer.Save(path);

        var reader = SafeTensorsReader.Open(path);
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.ReadFloat32("w"));
    }

    [Fact]
    public void Open_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensorsReader.Open(_dir.File("absent.safetensors")));
    }

    [Fact]
    public void Open_AcceptsUnpaddedHeaderAndUnorderedOffsets()
    {
        // Foreign writers need not pad or keep tensors in header order.
        byte[] data = [1, 0, 0, 0, 2, 0, 0, 0];
        string path = WriteRaw(
            "foreign.safetensors",
            "{\"second\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[4,8]},\"first\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
            data);

        using var reader = SafeTensorsReader.Open(path);
        Assert.Equal([1L], reader.ReadInt64("first"));
        Assert.Equal([2L], reader.ReadInt64("second"));
    }

    private string WriteRaw(string name, string headerJson, byte[] data)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, RawSafeTensors.Build(headerJson, data));
        return path;
    }
}
