using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// Gradient buffers that only one block uses at a time during backward, so the model allocates them
/// once instead of once per block.
/// </summary>
public sealed class BackwardBuffers
{
    /// <summary>Allocates buffers for <paramref name="rows"/> rows of a model of width <paramref name="width"/> and MLP width <paramref name="hidden"/>.</summary>
    public BackwardBuffers(TensorArena arena, int rows, int width, int hidden)
    {
        Residual = arena.Allocate((long)rows * width);
        NormOut = arena.Allocate((long)rows * width);
        AttentionY = arena.Allocate((long)rows * width);
        Qkv = arena.Allocate((long)rows * 3 * width);
        Hidden = arena.Allocate((long)rows * hidden);
    }

    /// <summary>dL/d(residual stream), carried down through the blocks.</summary>
    public Tensor Residual { get; }

    /// <summary>dL/d(norm output) of the sub-layer being differentiated.</summary>
    public Tensor NormOut { get; }

    /// <summary>dL/d(attention output before c_proj).</summary>
    public Tensor AttentionY { get; }

    /// <summary>dL/d(q, k, v).</summary>
    public Tensor Qkv { get; }

    /// <summary>dL/d(MLP hidden activation).</summary>
    public Tensor Hidden { get; }
}
