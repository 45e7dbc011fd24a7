using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// A per-row normalisation over the model width. Variants (LayerNorm now, RMSNorm next) plug into
/// blocks through this base; each saves what its backward needs during <see cref="Forward"/>.
/// </summary>
public abstract class Norm
{
    /// <summary>Allocates saved statistics for up to <paramref name="rows"/> rows.</summary>
    public abstract void Plan(TensorArena arena, int rows);

    /// <summary>Normalises <paramref name="rows"/> rows of <paramref name="input"/> into <paramref name="output"/>.</summary>
    public abstract void Forward(Tensor input, Tensor output, int rows);

    /// <summary>
    /// Adds <c>dL/dx</c> into <paramref name="dInput"/> (accumulating, so a residual stream's gradient
    /// can be passed directly) and adds the parameter gradients.
    /// </summary>
    public abstract void Backward(Tensor input, Tensor dOutput, Tensor dInput, int rows);
}
