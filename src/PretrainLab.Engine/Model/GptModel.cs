using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Layers;
using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Model;

/// <summary>
/// A GPT-style language model, read top to bottom: token and position embeddings, a stack of
/// pre-norm blocks, a final norm and a head (tied to the token table as in GPT-2, or its own
/// <c>lm_head.weight</c>), trained with softmax cross-entropy. Activations are planned once for a batch of up to <see cref="BatchSize"/>
/// sequences of <see cref="GptConfig.BlockSize"/> tokens, so forward and backward never allocate.
/// </summary>
public sealed class GptModel : IDisposable
{
    private readonly TensorArena _arena = new();
    private readonly Workspace _workspace;
    private readonly Embedding _embedding;
    private readonly Block[] _blocks;
    private readonly Norm? _lnE;
    private readonly Norm _lnF;
    private readonly LogitSoftcap? _softcap;
    private readonly Linear _head;
    private readonly SoftmaxCrossEntropy _loss;
    private readonly BackwardBuffers _grads;
    private readonly int[] _tokens;
    private readonly int[] _targets;
    private readonly Tensor _embedded;
    private readonly Tensor _x0;
    private readonly Tensor _lnFOut;
    private readonly Tensor _dLnFOut;
    private int _batch;

    /// <summary>Builds the model and plans its buffers; parameters are zero until <see cref="Initialize"/> or a checkpoint load.</summary>
    public GptModel(GptConfig config, int batchSize, Parallelism parallelism)
    {
        config.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Config = config;
        BatchSize = batchSize;
        _workspace = new Workspace(parallelism);
        Parameters = new ParameterSet(parallelism);

        _embedding = new Embedding(Parameters, config);
        _lnE = config.EmbedNorm ? Block.CreateNorm(Parameters, _workspace, config, "transformer.ln_e") : null;
        _blocks = new Block[config.NLayer];
        for (var i = 0; i < _blocks.Length; i++)
            _blocks[i] = new Block(Parameters, _workspace, config, i);
        _lnF = Block.CreateNorm(Parameters, _workspace, config, "transformer.ln_f");
        _head = config.TieHead
            ? new Linear(_workspace, _embedding.TokenTable, bias: null)
            : new Linear(Parameters, _workspace, "lm_head", config.NEmbd, config.VocabSize, bias: false,
                ParameterInit.Gaussian(config.InitStd), ParameterKind.Head);
        _softcap = config.LogitSoftcap > 0 ? new LogitSoftcap(_workspace, config.LogitSoftcap) : null;
        _loss = new SoftmaxCrossEntropy(_workspace, config.VocabSize);
        Parameters.Allocate(_arena);

        var t = config.BlockSize;
        var rows = batchSize * t;
        var c = config.NEmbd;
        _tokens = new int[rows];
        _targets = new int[rows];
        _x0 = _arena.Allocate((long)rows * c);
        _embedded = _lnE is null ? _x0 : _arena.Allocate((long)rows * c);
        _lnFOut = _arena.Allocate((long)rows * c);
        _dLnFOut = _arena.Allocate((long)rows * c);
        Logits = _arena.Allocate((long)rows * config.VocabSize);
        var fcWidth = config.Activation == ActivationKind.SwiGlu ? 2 * config.MlpHidden : config.MlpHidden;
        _grads = new BackwardBuffers(_arena, rows, c, c + 2 * config.KvHeads * config.HeadSize, fcWidth, config.MlpHidden);
        foreach (var block in _blocks)
            block.Plan(_arena, _grads, batchSize, t);
        _lnE?.Plan(_arena, rows);
        _lnF.Plan(_arena, rows);
        _softcap?.Plan(_arena, (long)rows * config.VocabSize);
        _loss.Plan(_arena, rows);
    }

    /// <summary>The model's shape.</summary>
    public GptConfig Config { get; }

    /// <summary>The thread budget of the model's kernels.</summary>
    public Parallelism Parallelism => _workspace.Parallelism;

    /// <summary>The largest batch (in sequences) a forward pass accepts.</summary>
    public int BatchSize { get; }

    /// <summary>All trainable parameters, with nanoGPT's names.</summary>
    public ParameterSet Parameters { get; }

    /// <summary>Logits [rows, V] of the last forward pass (gradients after <see cref="Backward"/>).</summary>
    public Tensor Logits { get; }

    /// <summary>Per-token losses in nats of the last forward pass.</summary>
    public ReadOnlySpan<float> TokenLosses => _loss.Losses.Span[..(_batch * Config.BlockSize)];

    /// <summary>Bytes of native memory held for parameters, gradients and activations.</summary>
    public long AllocatedBytes => _arena.Bytes;

    /// <summary>Initialises parameters as nanoGPT does, deterministically from <paramref name="seed"/>.</summary>
    public void Initialize(ulong seed) => Parameters.Initialize(seed);

    /// <summary>
    /// Runs <paramref name="batch"/> sequences (<c>tokens</c> and next-token <c>targets</c>, both
    /// batch·T long, row-major) and returns the sum of their per-token losses in nats.
    /// </summary>
    public double Forward(ReadOnlySpan<int> tokens, ReadOnlySpan<int> targets, int batch)
    {
        var t = Config.BlockSize;
        var rows = batch * t;
        if (batch < 1 || batch > BatchSize)
            throw new ArgumentOutOfRangeException(nameof(batch), $"batch {batch} outside [1, {BatchSize}]");
        if (tokens.Length != rows || targets.Length != rows)
            throw new ArgumentException($"expected {rows} tokens and targets, got {tokens.Length} and {targets.Length}");
        var vocab = Config.VocabSize;
        foreach (var target in targets)
        {
            if ((uint)target >= (uint)vocab)
                throw new ArgumentOutOfRangeException(nameof(targets), $"target {target} is outside the vocabulary of {vocab}");
        }

        _batch = batch;
        tokens.CopyTo(_tokens);
        targets.CopyTo(_targets);

        _embedding.Forward(tokens, _embedded, batch, t);
        _lnE?.Forward(_embedded, _x0, rows);
        var x = _x0;
        foreach (var block in _blocks)
        {
            block.Forward(x, batch, t);
            x = block.Output;
        }
        _lnF.Forward(x, _lnFOut, rows);
        _head.Forward(_lnFOut, Logits, rows);
        _softcap?.Forward(Logits, rows * vocab);
        return _loss.Forward(Logits, targets, rows);
    }

    /// <summary>
    /// Adds to every parameter gradient <c>d(lossScale·Σ per-token loss)/dθ</c> for the last forward
    /// pass; use <c>1/rows</c> for the mean loss. Call <see cref="ParameterSet.ZeroGrad"/> between steps.
    /// </summary>
    public void Backward(float lossScale)
    {
        var t = Config.BlockSize;
        var rows = _batch * t;
        var targets = _targets.AsSpan(0, rows);
        _loss.Backward(Logits, targets, rows, lossScale);
        _softcap?.Backward(Logits, rows * Config.VocabSize);
        _head.Backward(_lnFOut, Logits, _dLnFOut, rows);

        var dResidual = _grads.Residual;
        dResidual.Span[..(rows * Config.NEmbd)].Clear();
        _lnF.Backward(_blocks[^1].Output, _dLnFOut, dResidual, rows);
        for (var i = _blocks.Length - 1; i >= 0; i--)
            _blocks[i].Backward(i == 0 ? _x0 : _blocks[i - 1].Output, dResidual, _batch, t);
        if (_lnE is not null)
        {
            // dResidual now holds dL/d(ln_e output); the norm adds dL/d(embedding) into a cleared buffer.
            var dEmbedded = _dLnFOut;
            dEmbedded.Span[..(rows * Config.NEmbd)].Clear();
            _lnE.Backward(_embedded, dResidual, dEmbedded, rows);
            dResidual = dEmbedded;
        }
        _embedding.Backward(_tokens.AsSpan(0, rows), dResidual, _batch, t);
    }

    /// <summary>Frees the model's native memory.</summary>
    public void Dispose() => _arena.Dispose();
}
