namespace PretrainLab.Engine.Tensors;

/// <summary>
/// A view of <see cref="Length"/> contiguous float32 values in native memory owned by a
/// <see cref="TensorArena"/>. Layers know their own shapes; the view carries only where and how many.
/// </summary>
/// <remarks>A plain pointer struct so that kernels and parallel row operations can hold it without
/// pinning or allocation; the arena keeps the memory alive and 64-byte aligned.</remarks>
public readonly unsafe struct Tensor
{
    /// <summary>Creates a view over <paramref name="length"/> floats at <paramref name="data"/>.</summary>
    public Tensor(float* data, int length)
    {
        Data = data;
        Length = length;
    }

    /// <summary>The first element.</summary>
    public float* Data { get; }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The elements as a span.</summary>
    public Span<float> Span => new(Data, Length);

    /// <summary>A sub-view of <paramref name="length"/> elements from <paramref name="start"/>.</summary>
    public Tensor Slice(int start, int length)
    {
        if ((uint)start > (uint)Length || (uint)length > (uint)(Length - start))
            throw new ArgumentOutOfRangeException(nameof(start), $"slice [{start}, {start + length}) outside a tensor of {Length}");
        return new Tensor(Data + start, length);
    }
}
