using PretrainLab.Engine.Compute;
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
    // Columns of db per parallel unit of the bias gradient.
    private const int BiasColumns = 64;

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
        // dW[o,i] += Σ_r dy[r,o]·x[r,i]: dy read as [K=rows, M=out], x as [K, N=in].
        var dw = Gemm.Problem.Dense(dOutput.Data, true, input.Data, false, Weight.Grad.Data, OutFeatures, InFeatures, rows, null, accumulate: true);
        if (dInput.Length > 0)
        {
            // dx = dy·W, as much work as dW: the two share one parallel loop.
            var dx = Gemm.Problem.Dense(dOutput.Data, false, Weight.Data.Data, false, dInput.Data, rows, InFeatures, OutFeatures, null,
                accumulate: false);
            Gemm.MultiplyPair(par, dx, dw);
        }
        else
        {
            Gemm.Multiply(par, dw.A, true, dw.B, false, dw.C, dw.M, dw.N, dw.K, null, accumulate: true);
        }

        if (Bias is not null)
        {
            // Below ~256k additions a second thread costs more than it saves.
            par.For((OutFeatures + BiasColumns - 1) / BiasColumns, new BiasGradient(dOutput.Data, Bias.Grad.Data, rows, OutFeatures),
                minRowsPerChunk: Math.Max(1, (1 << 18) / Math.Max(1, rows * BiasColumns)));
        }
    }

    /// <summary>Adds the column sums of dy to db, 64 columns per unit, each sum in row order so any thread count gives the same bits.</summary>
    private readonly struct BiasGradient(float* dy, float* db, int rows, int width) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var from = start * BiasColumns;
            var count = Math.Min(end * BiasColumns, width) - from;
            for (var r = 0; r < rows; r++)
                VectorMath.Add(db + from, dy + (long)r * width + from, db + from, count);
        }
    }
}
