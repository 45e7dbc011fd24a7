using System.Buffers;
using System.Runtime.CompilerServices;

namespace PretrainLab.Data.Tokenizers;

/// <summary>A growable list of token ids on pooled storage; the encoder's output. Dispose returns the storage.</summary>
internal struct TokenBuffer : IDisposable
{
    private int[] _items;
    private int _count;

    public TokenBuffer(int capacity)
    {
        _items = ArrayPool<int>.Shared.Rent(Math.Max(capacity, 16));
    }

    public readonly int Count => _count;

    public readonly ReadOnlySpan<int> Items => _items.AsSpan(0, _count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int token)
    {
        int[] items = _items;
        int count = _count;
        if ((uint)count < (uint)items.Length)
        {
            items[count] = token;
            _count = count + 1;
        }
        else
        {
            Grow();
            _items[_count++] = token;
        }
    }

    private void Grow()
    {
        int[] larger = ArrayPool<int>.Shared.Rent(_items.Length * 2);
        _items.AsSpan(0, _count).CopyTo(larger);
        ArrayPool<int>.Shared.Return(_items);
        _items = larger;
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_items);
        _items = [];
        _count = 0;
    }
}
