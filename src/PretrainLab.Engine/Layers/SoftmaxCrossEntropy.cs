using System.Runtime.Intrinsics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// Softmax cross-entropy over the vocabulary: per row <c>ℓ = logsumexp(z) − z[target]</c> in nats,
/// with the max subtracted for stability (a running max over chunks of the vocabulary, so a row is
/// read once however large V is). Backward overwrites the logits with
/// <c>(softmax(z) − onehot(target))·scale</c>, since the logits are not needed afterwards.
/// </summary>
public sealed unsafe class SoftmaxCrossEntropy
{
    // Logits per chunk of the one-pass log-sum-exp: 16 KiB, well inside L1.
    private const int Chunk = 4096;

    private readonly Workspace _workspace;
    private readonly int _vocab;
    private Tensor _logSumExp;
    private Tensor _losses;

    /// <summary>Creates the loss for a vocabulary of <paramref name="vocab"/> tokens.</summary>
    public SoftmaxCrossEntropy(Workspace workspace, int vocab)
    {
        _workspace = workspace;
        _vocab = vocab;
    }

    /// <summary>Per-row losses of the last <see cref="Forward"/>, in nats.</summary>
    public Tensor Losses => _losses;

    /// <summary>Allocates per-row statistics for up to <paramref name="rows"/> rows.</summary>
    public void Plan(TensorArena arena, int rows)
    {
        _logSumExp = arena.Allocate(rows);
        _losses = arena.Allocate(rows);
    }

    /// <summary>Returns the sum over <paramref name="rows"/> rows of the per-row loss (summed in row order, in double).</summary>
    public double Forward(Tensor logits, ReadOnlySpan<int> targets, int rows)
    {
        fixed (int* t = targets)
            _workspace.Parallelism.For(rows, new ForwardRows(logits.Data, t, _logSumExp.Data, _losses.Data, _vocab), minRowsPerChunk: 8);
        double sum = 0;
        for (var r = 0; r < rows; r++)
            sum += _losses.Data[r];
        return sum;
    }

    /// <summary>Replaces <paramref name="logits"/> with <c>dL/dz = (softmax(z) − onehot)·<paramref name="scale"/></c>.</summary>
    public void Backward(Tensor logits, ReadOnlySpan<int> targets, int rows, float scale)
    {
        fixed (int* t = targets)
            _workspace.Parallelism.For(rows, new BackwardRows(logits.Data, t, _logSumExp.Data, _vocab, scale), minRowsPerChunk: 8);
    }

    /// <summary>
    /// Returns log Σ_i e^(z[i]) over a row, in one pass over memory: chunks of <see cref="Chunk"/> logits
    /// (L1-sized) each take their max and then their exponentials relative to the running max, and
    /// the running sum is rescaled when the max grows. A partial last vector is padded with −∞.
    /// </summary>
    private static float LogSumExp(float* z, int v)
    {
        var runningMax = float.NegativeInfinity;
        var runningSum = 0f;
        var padded = stackalloc float[8];
        for (var c0 = 0; c0 < v; c0 += Chunk)
        {
            var n = Math.Min(Chunk, v - c0);
            var chunk = z + c0;
            var full = n & ~7;
            var vmax = Vector256.Create(float.NegativeInfinity);
            for (var i = 0; i < full; i += 8)
                vmax = Vector256.Max(vmax, Vector256.Load(chunk + i));
            var max = Vector256.Max(vmax, Tail(chunk, full, n, padded));
            var chunkMax = MathF.Max(MathF.Max(MathF.Max(max[0], max[1]), MathF.Max(max[2], max[3])),
                MathF.Max(MathF.Max(max[4], max[5]), MathF.Max(max[6], max[7])));
            if (chunkMax > runningMax)
            {
                runningSum *= MathF.Exp(runningMax - chunkMax);
                runningMax = chunkMax;
            }
            if (float.IsNegativeInfinity(runningMax))
                continue;

            var vm = Vector256.Create(runningMax);
            var sum = Vector256<float>.Zero;
            for (var i = 0; i < full; i += 8)
                sum += VectorMath.Exp(Vector256.Load(chunk + i) - vm);
            sum += VectorMath.Exp(Tail(chunk, full, n, padded) - vm);
            runningSum += Vector256.Sum(sum);
        }
        return runningMax + MathF.Log(runningSum);
    }

    /// <summary>Logits [from, to) of a chunk (fewer than 8) in a vector padded with −∞, whose exponential is 0.</summary>
    private static Vector256<float> Tail(float* chunk, int from, int to, float* padded)
    {
        var span = new Span<float>(padded, 8);
        span.Fill(float.NegativeInfinity);
        new ReadOnlySpan<float>(chunk + from, to - from).CopyTo(span);
        return Vector256.Load(padded);
    }

    private readonly struct ForwardRows(float* logits, int* targets, float* lse, float* losses, int v) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var z = logits + (long)r * v;
                var l = LogSumExp(z, v);
                lse[r] = l;
                losses[r] = l - z[targets[r]];
            }
        }
    }

    private readonly struct BackwardRows(float* logits, int* targets, float* lse, int v, float scale) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var vs = Vector256.Create(scale);
            var padded = stackalloc float[8];
            var full = v & ~7;
            for (var r = start; r < end; r++)
            {
                var z = logits + (long)r * v;
                var vl = Vector256.Create(lse[r]);
                for (var i = 0; i < full; i += 8)
                    (VectorMath.Exp(Vector256.Load(z + i) - vl) * vs).Store(z + i);
                if (full < v)
                {
                    (VectorMath.Exp(Tail(z, full, v, padded) - vl) * vs).Store(padded);
                    new ReadOnlySpan<float>(padded, v - full).CopyTo(new Span<float>(z + full, v - full));
                }
                z[targets[r]] -= scale;
            }
        }
    }
}
