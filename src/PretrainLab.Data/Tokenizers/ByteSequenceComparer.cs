using System.Buffers.Binary;
using System.Numerics;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// Content equality for byte arrays, with span lookups so dictionaries keyed by token bytes
/// can be probed without allocating a key.
/// </summary>
internal sealed class ByteSequenceComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static ByteSequenceComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode(byte[] obj) => (int)Hash(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)Hash(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    /// <summary>
    /// A fast 32-bit hash of short byte strings (tokens are mostly 2 to 16 bytes): 8-byte words
    /// folded in by multiply-rotate, overlapping reads for the tail instead of a byte loop, and
    /// splitmix64's finalizer so every input bit reaches the low bits used as a slot index.
    /// </summary>
    public static uint Hash(ReadOnlySpan<byte> key)
    {
        int n = key.Length;
        ulong h = (ulong)n;
        if (n >= 8)
        {
            int i = 0;
            for (; i + 8 <= n; i += 8)
                h = Absorb(h, BinaryPrimitives.ReadUInt64LittleEndian(key.Slice(i, 8)));
            if (i < n)
                h = Absorb(h, BinaryPrimitives.ReadUInt64LittleEndian(key.Slice(n - 8, 8)));
        }
        else if (n >= 4)
        {
            h = Absorb(h, BinaryPrimitives.ReadUInt32LittleEndian(key) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(key.Slice(n - 4, 4)) << 32));
        }
        else if (n > 0)
        {
            h = Absorb(h, key[0] | ((ulong)key[n >> 1] << 8) | ((ulong)key[n - 1] << 16));
        }
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EB;
        return (uint)(h ^ (h >> 31));
    }

    private static ulong Absorb(ulong h, ulong word) => BitOperations.RotateLeft((h ^ word) * 0x9E3779B97F4A7C15, 31);
}
