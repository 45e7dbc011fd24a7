using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PretrainLab.Engine.Compute;

/// <summary>
/// Measures the machine's fp32 fused multiply-add ceiling: the rate no float kernel can beat, the
/// denominator of "what fraction of the hardware does the engine use".
/// </summary>
/// <remarks>
/// <para>
/// Each of <c>threads</c> dedicated threads runs, for the given duration, a loop in which
/// <see cref="Chains"/> accumulators are each updated by one FMA per iteration,
/// <c>acc ← acc·a + b</c>, with nothing read from or written to memory. The rate counts 2 FLOPs
/// per lane per FMA (8 lanes for Vector256, 16 for Vector512) and is the total FLOPs of all threads
/// divided by the wall time of the slowest one. The time is cut into <see cref="Rounds"/> rounds and
/// the best round counts, because other processes can only slow a round down. Vector256 is always
/// measured, Vector512 when <see cref="Avx512F.IsSupported"/>; the best width is the ceiling.
/// </para>
/// <para>
/// The chains are independent because one chain is bound by FMA latency, not throughput: each
/// update waits for the previous one (about 4 cycles), while a core can start about two FMAs per
/// cycle. Keeping latency × throughput ≈ 8 or more FMAs in flight needs at least that many
/// independent chains; 12 leave headroom and still fit in 16 vector registers with the two
/// constants. With <c>a</c> just below 1 and a small <c>b</c> every chain converges to b/(1 − a),
/// so values never overflow or become denormal (which would slow some CPUs down).
/// </para>
/// </remarks>
public static class FmaProbe
{
    /// <summary>Independent accumulator chains per thread.</summary>
    public const int Chains = 12;

    /// <summary>Rounds per vector width; the fastest is reported.</summary>
    public const int Rounds = 3;

    // Iterations between clock reads: long enough that reading the clock costs nothing measurable.
    private const int IterationsPerCheck = 1 << 14;

    private const float A = 0.9999999f;
    private const float B = 1e-7f;

    /// <summary>
    /// Runs the probe on <paramref name="threads"/> threads in parallel for about
    /// <paramref name="seconds"/> per vector width and returns the best width's total rate.
    /// </summary>
    public static FmaProbeResult Measure(int threads, double seconds = 0.3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seconds);
        var best = new FmaProbeResult(256, threads, Run(threads, seconds, Chain256));
        if (Avx512F.IsSupported)
        {
            var wide = new FmaProbeResult(512, threads, Run(threads, seconds, Chain512));
            if (wide.Gflops > best.Gflops)
                best = wide;
        }
        return best;
    }

    private static double Run(int threads, double seconds, Func<long, (double Flops, float Sink)> chain)
    {
        var best = 0.0;
        for (var round = 0; round < Rounds; round++)
            best = Math.Max(best, Round(threads, seconds / Rounds, chain));
        return best;
    }

    /// <summary>Starts the threads together and returns GFLOP/s over the slowest thread's time.</summary>
    private static double Round(int threads, double seconds, Func<long, (double Flops, float Sink)> chain)
    {
        var flops = new double[threads];
        var elapsed = new double[threads];
        var sinks = new float[threads];
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            var id = i;
            workers[i] = new Thread(() =>
            {
                start.SignalAndWait();
                var begin = Stopwatch.GetTimestamp();
                var deadline = begin + (long)(seconds * Stopwatch.Frequency);
                double total = 0;
                float sink = 0;
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var (f, s) = chain(IterationsPerCheck);
                    total += f;
                    sink += s;
                }
                elapsed[id] = Stopwatch.GetElapsedTime(begin).TotalSeconds;
                flops[id] = total;
                // Storing the chains' sum makes it an observable result, so the JIT cannot drop the loop.
                sinks[id] = sink;
            }) { IsBackground = true, Name = $"fma-probe-{id}" };
            workers[i].Start();
        }
        foreach (var w in workers)
            w.Join();
        return flops.Sum() / elapsed.Max() / 1e9;
    }

    // Full optimisation from the first call: a tier-0 body would keep the accumulators in memory.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Flops, float Sink) Chain256(long iterations)
    {
        var a = Vector256.Create(A);
        var b = Vector256.Create(B);
        // Distinct starting values, so no chain is provably a copy of another and folded away.
        Vector256<float> c0 = b, c1 = c0 + b, c2 = c1 + b, c3 = c2 + b, c4 = c3 + b, c5 = c4 + b;
        Vector256<float> c6 = c5 + b, c7 = c6 + b, c8 = c7 + b, c9 = c8 + b, c10 = c9 + b, c11 = c10 + b;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, a, b);
            c1 = Vector256.FusedMultiplyAdd(c1, a, b);
            c2 = Vector256.FusedMultiplyAdd(c2, a, b);
            c3 = Vector256.FusedMultiplyAdd(c3, a, b);
            c4 = Vector256.FusedMultiplyAdd(c4, a, b);
            c5 = Vector256.FusedMultiplyAdd(c5, a, b);
            c6 = Vector256.FusedMultiplyAdd(c6, a, b);
            c7 = Vector256.FusedMultiplyAdd(c7, a, b);
            c8 = Vector256.FusedMultiplyAdd(c8, a, b);
            c9 = Vector256.FusedMultiplyAdd(c9, a, b);
            c10 = Vector256.FusedMultiplyAdd(c10, a, b);
            c11 = Vector256.FusedMultiplyAdd(c11, a, b);
        }
        var sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        return (2.0 * Vector256<float>.Count * Chains * iterations, Vector256.Sum(sum));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Flops, float Sink) Chain512(long iterations)
    {
        var a = Vector512.Create(A);
        var b = Vector512.Create(B);
        // Distinct starting values, so no chain is provably a copy of another and folded away.
        Vector512<float> c0 = b, c1 = c0 + b, c2 = c1 + b, c3 = c2 + b, c4 = c3 + b, c5 = c4 + b;
        Vector512<float> c6 = c5 + b, c7 = c6 + b, c8 = c7 + b, c9 = c8 + b, c10 = c9 + b, c11 = c10 + b;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, a, b);
            c1 = Avx512F.FusedMultiplyAdd(c1, a, b);
            c2 = Avx512F.FusedMultiplyAdd(c2, a, b);
            c3 = Avx512F.FusedMultiplyAdd(c3, a, b);
            c4 = Avx512F.FusedMultiplyAdd(c4, a, b);
            c5 = Avx512F.FusedMultiplyAdd(c5, a, b);
            c6 = Avx512F.FusedMultiplyAdd(c6, a, b);
            c7 = Avx512F.FusedMultiplyAdd(c7, a, b);
            c8 = Avx512F.FusedMultiplyAdd(c8, a, b);
            c9 = Avx512F.FusedMultiplyAdd(c9, a, b);
            c10 = Avx512F.FusedMultiplyAdd(c10, a, b);
            c11 = Avx512F.FusedMultiplyAdd(c11, a, b);
        }
        var sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        return (2.0 * Vector512<float>.Count * Chains * iterations, Vector512.Sum(sum));
    }
}
