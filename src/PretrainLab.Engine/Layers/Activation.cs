using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>An elementwise nonlinearity with its derivative; the MLP's pluggable piece.</summary>
public abstract class Activation
{
    /// <summary>Applies the function to <paramref name="length"/> values.</summary>
    public abstract void Forward(Tensor input, Tensor output, int length);

    /// <summary>Writes <c>f'(x)·dL/dy</c>; <paramref name="dInput"/> may alias <paramref name="dOutput"/>.</summary>
    public abstract void Backward(Tensor input, Tensor dOutput, Tensor dInput, int length);
}
