namespace PretrainLab.Engine.Training;

/// <summary>A read-only sequence of token ids (an in-memory array, a memory-mapped shard, ...).</summary>
public interface ITokenSequence
{
    /// <summary>Number of tokens.</summary>
    long Count { get; }

    /// <summary>Copies tokens [<paramref name="start"/>, start + destination.Length) into <paramref name="destination"/>.</summary>
    void CopyTo(long start, Span<int> destination);
}
