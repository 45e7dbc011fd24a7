namespace PretrainLab.Engine.Checkpoints;

/// <summary>One tensor entry of a safetensors header, validated against the file it came from.</summary>
public sealed class SafeTensorInfo
{
    internal SafeTensorInfo(string name, string dtype, int elementSize, int[] shape, long elementCount, long dataBegin, long dataEnd, long fileOffset)
    {
        Name = name;
        DType = dtype;
        ElementSize = elementSize;
        Shape = shape;
        ElementCount = elementCount;
        DataBegin = dataBegin;
        DataEnd = dataEnd;
        FileOffset = fileOffset;
    }

    /// <summary>The tensor name, the header key.</summary>
    public string Name { get; }

    /// <summary>The dtype token exactly as in the header, e.g. <c>"F32"</c>, <c>"BF16"</c>, <c>"I64"</c>.</summary>
    public string DType { get; }

    /// <summary>Bytes per element of <see cref="DType"/>.</summary>
    public int ElementSize { get; }

    /// <summary>The dimensions; empty for a scalar. The array is shared: do not modify it.</summary>
    public int[] Shape { get; }

    /// <summary>Product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>First byte of the data, relative to the start of the data section (the header's <c>data_offsets[0]</c>).</summary>
    public long DataBegin { get; }

    /// <summary>One past the last byte of the data, relative to the start of the data section (<c>data_offsets[1]</c>).</summary>
    public long DataEnd { get; }

    /// <summary>Length of the data in bytes: <see cref="DataEnd"/> - <see cref="DataBegin"/>.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>Absolute position of the first data byte in the file.</summary>
    public long FileOffset { get; }
}
