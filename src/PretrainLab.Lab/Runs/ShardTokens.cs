using PretrainLab.Data.Shards;
using PretrainLab.Engine.Training;

namespace PretrainLab.Lab.Runs;

/// <summary>
/// Memory-mapped llm.c token shards seen, one after another, as the engine's <see cref="ITokenSequence"/>;
/// a read that crosses from one shard into the next is served from both.
/// </summary>
public sealed class ShardTokens : ITokenSequence
{
    private readonly TokenShard[] _shards;
    private readonly long[] _starts;

    /// <summary>The concatenation of <paramref name="shards"/>, in order.</summary>
    public ShardTokens(IReadOnlyList<TokenShard> shards)
    {
        _shards = [.. shards];
        _starts = new long[_shards.Length + 1];
        for (var i = 0; i < _shards.Length; i++)
            _starts[i + 1] = _starts[i] + _shards[i].Count;
    }

    /// <inheritdoc/>
    public long Count => _starts[^1];

    /// <inheritdoc/>
    public void CopyTo(long start, Span<int> destination)
    {
        if (start < 0 || start > Count - destination.Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"tokens [{start}, {start + destination.Length}) outside a sequence of {Count}");
        // The last shard whose start is at or before `start` (empty shards are stepped over below).
        var index = Array.BinarySearch(_starts, start);
        var shard = index >= 0 ? index : ~index - 1;
        while (!destination.IsEmpty)
        {
            var offset = start - _starts[shard];
            var take = (int)Math.Min(destination.Length, _shards[shard].Count - offset);
            if (take > 0)
            {
                _shards[shard].CopyTo(offset, destination[..take]);
                destination = destination[take..];
                start += take;
            }
            shard++;
        }
    }
}
