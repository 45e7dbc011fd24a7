using System.Runtime.CompilerServices;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// Immutable map from a token's bytes to its rank, built for the encoder's inner loop:
/// direct tables for one- and two-byte keys, open addressing with inline hashes for longer ones.
/// </summary>
internal sealed class TokenRankTable
{
    /// <summary>The rank returned for byte sequences that are not tokens; above every real rank.</summary>
    public const int NoRank = int.MaxValue;

    private readonly int[] _singleByte = new int[256];
    private readonly int[] _twoBytes = new int[65536];
    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly byte[] _keys;

    private struct Slot
    {
        public uint Hash;
        public int Rank;
        public int Offset;
        public int Length; // 0 marks an empty slot: every token has at least one byte.
    }

    /// <summary>Builds the table; the caller guarantees distinct, non-empty keys.</summary>
    public TokenRankTable(IReadOnlyList<(byte[] Bytes, int Rank)> tokens)
    {
        Array.Fill(_singleByte, NoRank);
        Array.Fill(_twoBytes, NoRank);
        long keyBytes = 0;
        foreach (var (bytes, _) in tokens)
            keyBytes += bytes.Length > 2 ? bytes.Length : 0;
        _keys = new byte[keyBytes];
        // Load factor at most 1/2 keeps probe sequences short.
        int capacity = (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)tokens.Count * 2));
        _slots = new Slot[capacity];
        _mask = capacity - 1;
        int offset = 0;
        foreach (var (bytes, rank) in tokens)
        {
            switch (bytes.Length)
            {
                case 1:
                    _singleByte[bytes[0]] = rank;
                    break;
                case 2:
                    _twoBytes[(bytes[0] << 8) | bytes[1]] = rank;
                    break;
                default:
                    bytes.CopyTo(_keys, offset);
                    uint hash = ByteSequenceComparer.Hash(bytes);
                    int i = (int)hash & _mask;
                    while (_slots[i].Length != 0)
                        i = (i + 1) & _mask;
                    _slots[i] = new Slot { Hash = hash, Rank = rank, Offset = offset, Length = bytes.Length };
                    offset += bytes.Length;
                    break;
            }
        }
    }

    /// <summary>Rank of the token made of the bytes <paramref name="first"/>, <paramref name="second"/>, or <see cref="NoRank"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PairRank(byte first, byte second) => _twoBytes[(first << 8) | second];

    /// <summary>Rank of the token whose bytes are <paramref name="key"/>, or <see cref="NoRank"/>.</summary>
    public int Rank(ReadOnlySpan<byte> key)
    {
        switch (key.Length)
        {
            case 0:
                return NoRank;
            case 1:
                return _singleByte[key[0]];
            case 2:
                return _twoBytes[(key[0] << 8) | key[1]];
        }
        uint hash = ByteSequenceComparer.Hash(key);
        var slots = _slots;
        int i = (int)hash & _mask;
        while (true)
        {
            ref Slot slot = ref slots[i];
            if (slot.Length == 0)
                return NoRank;
            if (slot.Hash == hash && slot.Length == key.Length
                && key.SequenceEqual(_keys.AsSpan(slot.Offset, slot.Length)))
                return slot.Rank;
            i = (i + 1) & _mask;
        }
    }
}
