using PretrainLab.Engine.Compute;

namespace PretrainLab.Engine.Tests.Compute;

public unsafe class ParallelismTests
{
    /// <summary>Adds 1 to every row it is given and records the ranges' thread.</summary>
    private readonly struct CountRows(int* counts) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
                counts[r]++;
        }
    }

    /// <summary>Rows that take <paramref name="callerMs"/> on the thread that started the loop and <paramref name="workerMs"/> on any other.</summary>
    private readonly struct SlowOnWorkers(int caller, int callerMs, int workerMs) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            if (Environment.CurrentManagedThreadId != caller)
            {
                Thread.Sleep(workerMs);
                return;
            }
            var until = Environment.TickCount64 + callerMs;
            while (Environment.TickCount64 < until)
                Thread.SpinWait(100);
        }
    }

    private readonly struct Throwing(int failAt) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            if (start <= failAt && failAt < end)
                throw new InvalidOperationException($"row {failAt}");
        }
    }

    private readonly struct Nested(Parallelism parallelism, int* counts, int width) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
                parallelism.For(width, new CountRows(counts + r * width));
        }
    }

    /// <summary>Counts its rows at the last level; above it, every row runs a loop of the same type on another instance.</summary>
    private readonly struct Recursive(Parallelism[] levels, int level, int* counts, int width) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                if (level == levels.Length - 1)
                    counts[r]++;
                else
                    levels[level + 1].For(width, new Recursive(levels, level + 1, counts + r * width, width));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void EveryRowIsRunExactlyOnceOverManyCalls(int threads)
    {
        var parallelism = new Parallelism(threads);
        var counts = new int[1000];
        fixed (int* c = counts)
        {
            // Many back-to-back jobs of varying size: late workers must never run a chunk twice.
            for (var call = 0; call < 3000; call++)
                parallelism.For(1 + call % 1000, new CountRows(c), chunksPerThread: 1 + call % 5);
        }
        for (var r = 0; r < counts.Length; r++)
        {
            var expected = Enumerable.Range(0, 3000).Count(call => r < 1 + call % 1000);
            Assert.Equal(expected, counts[r]);
        }
    }

    [Fact]
    public void AnExceptionReachesTheCallerAndTheTeamKeepsWorking()
    {
        var parallelism = new Parallelism(3);
        var ex = Assert.Throws<InvalidOperationException>(() => parallelism.For(100, new Throwing(57)));
        Assert.Equal("row 57", ex.Message);
        var counts = new int[100];
        fixed (int* c = counts)
            parallelism.For(100, new CountRows(c));
        Assert.All(counts, n => Assert.Equal(1, n));
    }

    [Fact]
    public void NestedLoopsRunInnerLoopsOnTheirThread()
    {
        var parallelism = new Parallelism(2);
        var counts = new int[16 * 50];
        fixed (int* c = counts)
            parallelism.For(16, new Nested(parallelism, c, 50));
        Assert.All(counts, n => Assert.Equal(1, n));
    }

    [Fact]
    public void LoopsOfOneTypeNestOnDifferentInstances()
    {
        Parallelism[] levels = [new(2), new(3)];
        var counts = new int[40 * 40];
        fixed (int* c = counts)
        {
            for (var call = 0; call < 50; call++)
                levels[0].For(40, new Recursive(levels, 0, c, 40));
        }
        Assert.All(counts, n => Assert.Equal(50, n));
    }

    [Fact]
    public void ConcurrentCallersShareOneInstanceSafely()
    {
        var parallelism = new Parallelism(2);
        var counts = new int[4][];
        var callers = Enumerable.Range(0, 4).Select(i => new Thread(() =>
        {
            counts[i] = new int[300];
            fixed (int* c = counts[i])
            {
                for (var call = 0; call < 500; call++)
                    parallelism.For(300, new CountRows(c));
            }
        })).ToArray();
        foreach (var t in callers)
            t.Start();
        foreach (var t in callers)
            t.Join();
        Assert.All(counts, row => Assert.All(row, n => Assert.Equal(500, n)));
    }

    [Fact]
    public void ACallerThatMustWaitForAWorkerAllocatesNothing()
    {
        // The caller finishes its chunk in 2 ms, the worker's takes 30 ms: the caller polls, then blocks until the
        // worker is done. A first blocking wait must not allocate either (ManualResetEventSlim's did: a lock object).
        var parallelism = new Parallelism(2);
        var op = new SlowOnWorkers(Environment.CurrentManagedThreadId, callerMs: 2, workerMs: 30);
        parallelism.For(2, new SlowOnWorkers(Environment.CurrentManagedThreadId, callerMs: 0, workerMs: 0), chunksPerThread: 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 5; i++)
            parallelism.For(2, op, chunksPerThread: 1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void LoopsAllocateNothingOnceWarm()
    {
        // Whole training steps are checked in Training/StepAllocationTests.
        var parallelism = new Parallelism(2);
        var counts = new int[4096];
        fixed (int* c = counts)
        {
            parallelism.For(counts.Length, new CountRows(c));
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
                parallelism.For(counts.Length, new CountRows(c));
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
