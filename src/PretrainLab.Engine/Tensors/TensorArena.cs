using System.Runtime.InteropServices;

namespace PretrainLab.Engine.Tensors;

/// <summary>
/// Owns the native memory behind <see cref="Tensor"/> views: 64-byte aligned, zero-initialised,
/// freed together on <see cref="Dispose"/>. Buffers are planned once per shape, so the step loop
/// never allocates.
/// </summary>
public sealed unsafe class TensorArena : IDisposable
{
    private const nuint Alignment = 64;
    private readonly List<nint> _blocks = [];
    private long _bytes;

    /// <summary>Total bytes allocated by this arena.</summary>
    public long Bytes => _bytes;

    /// <summary>Allocates a zeroed tensor of <paramref name="length"/> floats.</summary>
    public Tensor Allocate(long length)
    {
        ObjectDisposedException.ThrowIf(_blocks is null, this);
        if (length is < 0 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(length), $"tensor of {length} elements is not supported");
        var bytes = (nuint)Math.Max(length, 1) * sizeof(float);
        var p = NativeMemory.AlignedAlloc(bytes, Alignment);
        NativeMemory.Clear(p, bytes);
        _blocks.Add((nint)p);
        _bytes += (long)bytes;
        return new Tensor((float*)p, (int)length);
    }

    /// <summary>Frees every tensor allocated here; views into them become invalid.</summary>
    public void Dispose()
    {
        foreach (var p in _blocks)
            NativeMemory.AlignedFree((void*)p);
        _blocks.Clear();
        _bytes = 0;
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees native memory if the owner forgot to dispose.</summary>
    ~TensorArena()
    {
        foreach (var p in _blocks)
            NativeMemory.AlignedFree((void*)p);
    }
}
