using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// Gradient buffers that only one block uses at a time during backward, so the model allocates them
/// once instead of once per block.
/// </summary>
public sealed class BackwardBuffers
{
    /// <summary>
    /// Allocates buffers for <paramref name="rows"/> rows of a model of width <paramref name="width"/>,
    /// q/k/v row width <paramref name="qkvWidth"/>, MLP expansion width <paramref name="fcWidth"/> and
    /// MLP hidden width <paramref name="hidden"/> (they differ for SwiGLU).
    /// </summary>
    public BackwardBuffers(TensorArena arena, int rows, int width, int qkvWidth, int fcWidth, int hidden)
    {
        Residual = arena.Allocate((long)rows * width);
        NormOut = arena.Allocate((long)rows * width);
        AttentionY = arena.Allocate((long)rows * width);
        Qkv = arena.Allocate((long)rows * qkvWidth);
        Hidden = arena.Allocate((long)rows * fcWidth);
        Activation = fcWidth == hidden ? Hidden : arena.Allocate((long)rows * hidden);
    }

    /// <summary>dL/d(residual stream), carried down through the blocks.</summary>
    public Tensor Residual { get; }

    /// <summary>dL/d(norm output) of the sub-layer being differentiated.</summary>
    public Tensor NormOut { get; }

    /// <summary>dL/d(attention output before c_proj).</summary>
    public Tensor AttentionY { get; }

    /// <summary>dL/d(q, k, v).</summary>
    public Tensor Qkv { get; }

    /// <summary>dL/d(MLP expansion output).</summary>
    public Tensor Hidden { get; }

    /// <summary>dL/d(gated MLP activation) for SwiGLU; the same buffer as <see cref="Hidden"/> otherwise.</summary>
    public Tensor Activation { get; }
}
