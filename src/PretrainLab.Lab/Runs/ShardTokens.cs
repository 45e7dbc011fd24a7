using PretrainLab.Data.Shards;
using PretrainLab.Engine.Training;

namespace PretrainLab.Lab.Runs;

/// <summary>A memory-mapped llm.c token shard seen as the engine's <see cref="ITokenSequence"/>.</summary>
public sealed class ShardTokens(TokenShard shard) : ITokenSequence
{
    /// <inheritdoc/>
    public long Count => shard.Count;

    /// <inheritdoc/>
    public void CopyTo(long start, Span<int> destination) => shard.CopyTo(start, destination);
}
