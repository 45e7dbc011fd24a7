using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// A fully connected layer <c>y = x·Wᵀ + b</c> with W stored [out, in] (PyTorch's and nanoGPT's
/// layout). The weight may be shared with another layer (the tied output head uses <c>wte</c>).
/// </summary>
public sealed unsafe class Linear
{
    private readonly Workspace _workspace;

    /// <summary>Declares <c>{name}.weight</c> (and <c>{name}.bias</c>) in <paramref name="parameters"/>.</summary>
    public Linear(ParameterSet parameters, Workspace workspace, string name, int inFeatures, int outFeatures,
        bool bias, ParameterInit weightInit, ParameterKind kind = ParameterKind.Matrix)
        : this(workspace, parameters.Declare($"{name}.weight", [outFeatures, inFeatures], kind, weightInit),
            bias ? parameters.Declare($"{name}.bias", [outFeatures], ParameterKind.Vector, ParameterInit.Zeros) : null)
    {
    }

    /// <summary>Uses an existing weight of shape [out, in] (weight tying) and an optional bias.</summary>
    public Linear(Workspace workspace, Parameter weight, Parameter? bias)
    {
        if (weight.Shape.Length != 2)
            throw new ArgumentException($"'{weight.Name}' must be 2-D", nameof(weight));
        _workspace = workspace;
        Weight = weight;
        Bias = bias;
        OutFeatures = weight.Shape[0];
        InFeatures = weight.Shape[1];
    }

    /// <summary>The weight, [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>Reserves the scratch that <see cref="Backward"/> needs for up to <paramref name="rows"/> rows.</summary>
    public void Plan(int rows)
    {
        _workspace.Require(0, (long)InFeatures * OutFeatures);
        _workspace.Require(1, (long)rows * OutFeatures);
        _workspace.Require(2, (long)rows * InFeatures);
    }

    /// <summary>Computes <c>output[r,o] = Σ_i input[r,i]·W[o,i] + b[o]</c> for <paramref name="rows"/> rows.</summary>
    public void Forward(Tensor input, Tensor output, int rows) =>
        Gemm.MultiplyTransposed(_workspace.Parallelism, input.Data, Weight.Data.Data, output.Data,
            rows, OutFeatures, InFeatures, Bias is null ? null : Bias.Data.Data, accumulate: false);

    /// <summary>
    /// Given <c>dL/dy</c>, adds <c>dL/dW = dyᵀ·x</c> and <c>dL/db = Σ_r dy</c> to the gradients, and
    /// writes <c>dL/dx = dy·W</c> into <paramref name="dInput"/> (skipped when it is empty).
    /// </summary>
    public void Backward(Tensor input, Tensor dOutput, Tensor dInput, int rows)
    {
        var par = _workspace.Parallelism;
        if (dInput.Length > 0)
        {
            var wT = _workspace.Scratch(0);
            Gemm.Transpose(par, Weight.Data.Data, wT.Data, OutFeatures, InFeatures);
            Gemm.MultiplyTransposed(par, dOutput.Data, wT.Data, dInput.Data, rows, InFeatures, OutFeatures, null, accumulate: false);
        }

        var dyT = _workspace.Scratch(1);
        var xT = _workspace.Scratch(2);
        Gemm.Transpose(par, dOutput.Data, dyT.Data, rows, OutFeatures);
        Gemm.Transpose(par, input.Data, xT.Data, rows, InFeatures);
        Gemm.MultiplyTransposed(par, dyT.Data, xT.Data, Weight.Grad.Data, OutFeatures, InFeatures, rows, null, accumulate: true);

        if (Bias is not null)
        {
            // Rows in order, so the sum is the same for any thread count.
            var db = Bias.Grad.Data;
            for (var r = 0; r < rows; r++)
                VectorMath.Add(db, dOutput.Data + (long)r * OutFeatures, db, OutFeatures);
        }
    }
}
