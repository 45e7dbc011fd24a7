using System.Buffers;
using System.Runtime.CompilerServices;

namespace PretrainLab.Data.Tokenizers;

/// <summary>
/// tiktoken's byte-pair encoding of one piece: start from single bytes and repeatedly merge the
/// adjacent pair whose concatenated bytes have the lowest rank (the leftmost such pair on ties)
/// until no adjacent pair is a token; emit the ranks of the remaining parts.
/// </summary>
internal static class BytePairEncoder
{
    /// <summary>
    /// Pieces longer than this many bytes use the heap-based merge, O(n log n) instead of the
    /// scan's O(n²). Measured on runs of random CJK letters: the scan is faster up to about
    /// 128 bytes, the heap from about 256.
    /// </summary>
    internal const int HeapThreshold = 192;

    /// <summary>Appends the tokens of <paramref name="piece"/> to <paramref name="output"/>.</summary>
    public static void Encode(ReadOnlySpan<byte> piece, TokenRankTable ranks, ref TokenBuffer output)
    {
        // Most pieces of ordinary text are whole tokens.
        int whole = ranks.Rank(piece);
        if (whole != TokenRankTable.NoRank)
            output.Add(whole);
        else if (piece.Length <= HeapThreshold)
            MergeByScan(piece, ranks, ref output);
        else
            MergeByHeap(piece, ranks, ref output);
    }

    /// <summary>
    /// tiktoken's own loop: parts as start offsets with the rank of the pair each part begins;
    /// find the minimum, merge, refresh the two affected pair ranks, repeat.
    /// </summary>
    [SkipLocalsInit] // every scratch entry read is written first
    internal static void MergeByScan(ReadOnlySpan<byte> piece, TokenRankTable ranks, ref TokenBuffer output)
    {
        int n = piece.Length;
        int[]? rented = n < 256 ? null : ArrayPool<int>.Shared.Rent(2 * (n + 1));
        Span<int> scratch = rented is null ? stackalloc int[2 * (n + 1)] : rented.AsSpan(0, 2 * (n + 1));
        var starts = scratch[..(n + 1)];
        var pairRanks = scratch[(n + 1)..];
        for (int i = 0; i < n; i++)
        {
            starts[i] = i;
            pairRanks[i] = i + 1 < n ? ranks.PairRank(piece[i], piece[i + 1]) : TokenRankTable.NoRank;
        }
        starts[n] = n;
        pairRanks[n] = TokenRankTable.NoRank;
        // parts = count - 1 real parts plus the end sentinel.
        int count = n + 1;
        while (true)
        {
            int best = -1, bestRank = TokenRankTable.NoRank;
            for (int i = 0; i < count - 1; i++)
            {
                if (pairRanks[i] < bestRank)
                {
                    bestRank = pairRanks[i];
                    best = i;
                }
            }
            if (best < 0)
                break;
            // After part best+1 is removed, the pairs starting at best-1 and best span one more part.
            if (best > 0)
                pairRanks[best - 1] = ranks.Rank(piece[starts[best - 1]..starts[best + 2]]);
            pairRanks[best] = best + 3 < count ? ranks.Rank(piece[starts[best]..starts[best + 3]]) : TokenRankTable.NoRank;
            starts[(best + 2)..count].CopyTo(starts[(best + 1)..]);
            pairRanks[(best + 2)..count].CopyTo(pairRanks[(best + 1)..]);
            count--;
        }
        for (int i = 0; i < count - 1; i++)
            output.Add(ranks.Rank(piece[starts[i]..starts[i + 1]]));
        if (rented is not null)
            ArrayPool<int>.Shared.Return(rented);
    }

    /// <summary>
    /// The same merge order with a linked list of parts and a min-heap of (rank, start) keys.
    /// Each live part's pair has exactly one valid heap entry (its current rank); entries for
    /// merged-away parts or superseded ranks are skipped when popped. A part's pair only grows
    /// rightwards, so its rank never returns to an earlier value and a stale entry cannot pass.
    /// </summary>
    internal static void MergeByHeap(ReadOnlySpan<byte> piece, TokenRankTable ranks, ref TokenBuffer output)
    {
        int n = piece.Length;
        int[] links = ArrayPool<int>.Shared.Rent(3 * n);
        long[] heapStorage = ArrayPool<long>.Shared.Rent(2 * n);
        var next = links.AsSpan(0, n);
        var prev = links.AsSpan(n, n);
        var pairRank = links.AsSpan(2 * n, n);
        var heap = heapStorage.AsSpan(0, 2 * n);
        int heapSize = 0;
        for (int i = 0; i < n; i++)
        {
            next[i] = i + 1;
            prev[i] = i - 1;
            pairRank[i] = i + 1 < n ? ranks.PairRank(piece[i], piece[i + 1]) : TokenRankTable.NoRank;
            if (pairRank[i] != TokenRankTable.NoRank)
                Push(heap, ref heapSize, pairRank[i], i);
        }
        while (heapSize > 0)
        {
            long top = Pop(heap, ref heapSize);
            int rank = (int)(top >> 32), start = (int)top;
            if (pairRank[start] != rank)
                continue;
            int removed = next[start];
            int after = next[removed];
            next[start] = after;
            if (after < n)
                prev[after] = start;
            pairRank[removed] = -1;
            pairRank[start] = after < n ? ranks.Rank(piece[start..next[after]]) : TokenRankTable.NoRank;
            if (pairRank[start] != TokenRankTable.NoRank)
                Push(heap, ref heapSize, pairRank[start], start);
            int before = prev[start];
            if (before >= 0)
            {
                pairRank[before] = ranks.Rank(piece[before..after]);
                if (pairRank[before] != TokenRankTable.NoRank)
                    Push(heap, ref heapSize, pairRank[before], before);
            }
        }
        for (int i = 0; i < n; i = next[i])
            output.Add(ranks.Rank(piece[i..next[i]]));
        ArrayPool<int>.Shared.Return(links);
        ArrayPool<long>.Shared.Return(heapStorage);
    }

    private static void Push(Span<long> heap, ref int size, int rank, int start)
    {
        long key = ((long)rank << 32) | (uint)start;
        int i = size++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (heap[parent] <= key)
                break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
    }

    private static long Pop(Span<long> heap, ref int size)
    {
        long top = heap[0];
        long last = heap[--size];
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= size)
                break;
            if (child + 1 < size && heap[child + 1] < heap[child])
                child++;
            if (heap[child] >= last)
                break;
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0)
            heap[i] = last;
        return top;
    }
}
