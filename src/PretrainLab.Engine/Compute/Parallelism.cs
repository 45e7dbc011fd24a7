namespace PretrainLab.Engine.Compute;

/// <summary>
/// How many threads kernels may use, and the driver that splits rows among them (on a
/// <see cref="WorkerTeam"/>: no allocation, a few microseconds per call). Rows are cut into contiguous
/// chunks and every output element is computed by exactly one thread with a fixed reduction order, so
/// results are bit-identical for any thread count.
/// </summary>
public sealed class Parallelism
{
    private readonly WorkerTeam? _team;

    /// <summary>Uses <paramref name="threads"/> threads; 0 means all logical cores.</summary>
    public Parallelism(int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _team = Threads > 1 ? new WorkerTeam(Threads - 1) : null;
    }

    /// <summary>A single-threaded instance, handy for tests and references.</summary>
    public static Parallelism Serial { get; } = new(1);

    /// <summary>The number of threads kernels use.</summary>
    public int Threads { get; }

    /// <summary>
    /// Runs <paramref name="operation"/> over rows [0, <paramref name="rows"/>), in at most
    /// <see cref="Threads"/> times <c>chunksPerThread</c> chunks; serially when there is one thread
    /// or less than <paramref name="minRowsPerChunk"/> rows per chunk would result, and also when this
    /// instance is already running a loop (a nested or concurrent call).
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

        var perChunk = (rows + chunks - 1) / chunks;
        chunks = (rows + perChunk - 1) / perChunk;
        if (!_team!.TryRun(operation, rows, perChunk, chunks))
            operation.Invoke(0, rows);
    }
}
