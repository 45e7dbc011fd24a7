namespace PretrainLab.Engine.Compute;

/// <summary>
/// How many threads kernels may use, and the driver that splits rows among them. Rows are cut into
/// contiguous chunks and every output element is computed by exactly one thread with a fixed
/// reduction order, so results are bit-identical for any thread count.
/// </summary>
public sealed class Parallelism
{
    private readonly ParallelOptions _options;

    /// <summary>Uses <paramref name="threads"/> threads; 0 means all logical cores.</summary>
    public Parallelism(int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _options = new ParallelOptions { MaxDegreeOfParallelism = Threads };
    }

    /// <summary>A single-threaded instance, handy for tests and references.</summary>
    public static Parallelism Serial { get; } = new(1);

    /// <summary>The number of threads kernels use.</summary>
    public int Threads { get; }

    /// <summary>
    /// Runs <paramref name="operation"/> over rows [0, <paramref name="rows"/>), in at most
    /// <see cref="Threads"/> times <c>chunksPerThread</c> chunks; serially when there is one thread
    /// or less than <paramref name="minRowsPerChunk"/> rows per chunk would result.
    /// </summary>
    public void For<T>(int rows, in T operation, int minRowsPerChunk = 1, int chunksPerThread = 4)
        where T : struct, IRowOperation
    {
        if (rows <= 0)
            return;
        var chunks = Math.Min(Threads * chunksPerThread, rows / Math.Max(minRowsPerChunk, 1));
        if (Threads == 1 || chunks <= 1)
        {
            operation.Invoke(0, rows);
            return;
        }

        var op = operation;
        var perChunk = (rows + chunks - 1) / chunks;
        chunks = (rows + perChunk - 1) / perChunk;
        Parallel.For(0, chunks, _options, c =>
        {
            var start = c * perChunk;
            op.Invoke(start, Math.Min(start + perChunk, rows));
        });
    }
}
