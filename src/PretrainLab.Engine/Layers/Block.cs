using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Kernels;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Layers;

/// <summary>
/// A pre-norm transformer block (GPT-2): <c>x = x + attn(ln_1(x))</c>, then <c>x = x + mlp(ln_2(x))</c>.
/// Parameters are named <c>transformer.h.{i}.…</c> as in nanoGPT.
/// </summary>
public sealed unsafe class Block
{
    // Floats per parallel unit of the residual additions.
    private const int AddChunk = 1 << 14;

    private readonly Workspace _workspace;
    private readonly int _width;
    private Tensor _ln1Out;
    private Tensor _attnOut;
    private Tensor _resid2;
    private Tensor _ln2Out;
    private Tensor _mlpOut;
    private Tensor _dNormOut;

    /// <summary>Declares block <paramref name="index"/>'s parameters.</summary>
    public Block(ParameterSet parameters, Workspace workspace, GptConfig config, int index)
    {
        var name = $"transformer.h.{index}";
        _workspace = workspace;
        _width = config.NEmbd;
        var init = ParameterInit.Gaussian(config.InitStd);
        // GPT-2 scales residual projections by 1/√(2·n_layer): two residual adds per block.
        var projInit = config.ZeroInitProjections
            ? ParameterInit.Zeros
            : ParameterInit.Gaussian(config.InitStd / MathF.Sqrt(2f * config.NLayer));
        Ln1 = CreateNorm(parameters, workspace, config, $"{name}.ln_1");
        Attention = new CausalSelfAttention(parameters, workspace, $"{name}.attn", config, init, projInit);
        Ln2 = CreateNorm(parameters, workspace, config, $"{name}.ln_2");
        Mlp = new Mlp(parameters, workspace, $"{name}.mlp", config, init, projInit);
    }

    /// <summary>The norm the config asks for, declared under <paramref name="name"/>.</summary>
    public static Norm CreateNorm(ParameterSet parameters, Workspace workspace, GptConfig config, string name) => config.Norm switch
    {
        NormKind.LayerNorm => new LayerNorm(parameters, workspace, name, config.NEmbd, config.Bias),
        NormKind.RmsNorm => new RmsNorm(parameters, workspace, name, config.NEmbd, config.NormGain),
        _ => throw new ArgumentOutOfRangeException(nameof(config), $"norm {config.Norm}"),
    };

    /// <summary>The norm before attention.</summary>
    public Norm Ln1 { get; }

    /// <summary>The attention sub-layer.</summary>
    public CausalSelfAttention Attention { get; }

    /// <summary>The norm before the MLP.</summary>
    public Norm Ln2 { get; }

    /// <summary>The feed-forward sub-layer.</summary>
    public Mlp Mlp { get; }

    /// <summary>The block's output (its residual stream after the MLP), valid after <see cref="Forward"/>.</summary>
    public Tensor Output { get; private set; }

    /// <summary>Allocates activations; the <c>shared*</c> buffers are backward scratch reused by every block.</summary>
    public void Plan(TensorArena arena, BackwardBuffers shared, int batch, int context)
    {
        var rows = batch * context;
        long n = (long)rows * _width;
        _ln1Out = arena.Allocate(n);
        _attnOut = arena.Allocate(n);
        _resid2 = arena.Allocate(n);
        _ln2Out = arena.Allocate(n);
        _mlpOut = arena.Allocate(n);
        Output = arena.Allocate(n);
        _dNormOut = shared.NormOut;
        Ln1.Plan(arena, rows);
        Ln2.Plan(arena, rows);
        Attention.Plan(arena, shared.AttentionY, shared.Qkv, batch, context);
        Mlp.Plan(arena, shared.Hidden, shared.Activation, rows);
    }

    /// <summary>Runs the block on <paramref name="input"/> (rows = batch·context) into <see cref="Output"/>.</summary>
    public void Forward(Tensor input, int batch, int context)
    {
        var rows = batch * context;
        long n = (long)rows * _width;
        Ln1.Forward(input, _ln1Out, rows);
        Attention.Forward(_ln1Out, _attnOut, batch, context);
        Add(input, _attnOut, _resid2, n);
        Ln2.Forward(_resid2, _ln2Out, rows);
        Mlp.Forward(_ln2Out, _mlpOut, rows);
        Add(_resid2, _mlpOut, Output, n);
    }

    /// <summary><c>z = x + y</c> over <paramref name="n"/> floats, in chunks spread over the threads.</summary>
    private void Add(Tensor x, Tensor y, Tensor z, long n) =>
        _workspace.Parallelism.For((int)((n + AddChunk - 1) / AddChunk), new AddChunks(x.Data, y.Data, z.Data, n), minRowsPerChunk: 2);

    private readonly struct AddChunks(float* x, float* y, float* z, long n) : IRowOperation
    {
        public void Invoke(int start, int end)
        {
            var from = (long)start * AddChunk;
            VectorMath.Add(x + from, y + from, z + from, Math.Min((long)end * AddChunk, n) - from);
        }
    }

    /// <summary>
    /// Turns <paramref name="dResidual"/> from <c>dL/dOutput</c> into <c>dL/dinput</c> in place, adding
    /// every parameter gradient on the way.
    /// </summary>
    public void Backward(Tensor input, Tensor dResidual, int batch, int context)
    {
        var rows = batch * context;
        // The residual passes the gradient through unchanged; each branch adds its own part.
        Mlp.Backward(_ln2Out, dResidual, _dNormOut, rows);
        Ln2.Backward(_resid2, _dNormOut, dResidual, rows);
        Attention.Backward(_ln1Out, dResidual, _dNormOut, batch, context);
        Ln1.Backward(input, _dNormOut, dResidual, rows);
    }
}
