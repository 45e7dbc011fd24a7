using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// Softmax cross-entropy over the vocabulary: per row <c>ℓ = logsumexp(z) − z[target]</c> in nats,
/// with the max subtracted for stability. Backward overwrites the logits with
/// <c>(softmax(z) − onehot(target))·scale</c>, since the logits are not needed afterwards.
/// </summary>
public sealed unsafe class SoftmaxCrossEntropy
{
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

    private readonly struct ForwardRows(float* logits, int* targets, float* lse, float* losses, int v) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var z = logits + (long)r * v;
                var max = float.NegativeInfinity;
                for (var i = 0; i < v; i++)
                    max = MathF.Max(max, z[i]);
                var sum = 0f;
                for (var i = 0; i < v; i++)
                    sum += MathF.Exp(z[i] - max);
                var l = max + MathF.Log(sum);
                lse[r] = l;
                losses[r] = l - z[targets[r]];
            }
        }
    }

    private readonly struct BackwardRows(float* logits, int* targets, float* lse, int v, float scale) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var r = start; r < end; r++)
            {
                var z = logits + (long)r * v;
                var l = lse[r];
                for (var i = 0; i < v; i++)
                    z[i] = MathF.Exp(z[i] - l) * scale;
                z[targets[r]] -= scale;
            }
        }
    }
}
