using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// Logit soft-capping (Gemma 2; modded-nanogpt): <c>z' = c·tanh(z/c)</c> in place, keeping logits in
/// (−c, c); backward multiplies by <c>1 − tanh²(z/c) = 1 − (z'/c)²</c>, read from a saved copy.
/// </summary>
public sealed unsafe class LogitSoftcap(Workspace workspace, float cap)
{
    private Tensor _capped;

    /// <summary>Allocates the saved copy for <paramref name="length"/> logits.</summary>
    public void Plan(TensorArena arena, long length) => _capped = arena.Allocate(length);

    /// <summary>Caps <paramref name="length"/> logits in place.</summary>
    public void Forward(Tensor logits, int length) =>
        workspace.Parallelism.For(length, new ForwardOp(logits.Data, _capped.Data, cap), minRowsPerChunk: 8192);

    /// <summary>Turns <c>dL/dz'</c> into <c>dL/dz</c> in place.</summary>
    public void Backward(Tensor dLogits, int length) =>
        workspace.Parallelism.For(length, new BackwardOp(dLogits.Data, _capped.Data, cap), minRowsPerChunk: 8192);

    private readonly struct ForwardOp(float* z, float* saved, float c) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var v = c * MathF.Tanh(z[i] / c);
                z[i] = v;
                saved[i] = v;
            }
        }
    }

    private readonly struct BackwardOp(float* dz, float* saved, float c) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            for (var i = start; i < end; i++)
            {
                var t = saved[i] / c;
                dz[i] *= 1f - t * t;
            }
        }
    }
}
