using PretrainLab.Engine.Model;

namespace PretrainLab.Engine.Training;

/// <summary>
/// Validation loss and bits per byte over windows of T = block size tokens that start every
/// <see cref="Stride"/> tokens. With stride T (the default) the windows are consecutive and do not
/// overlap: window w predicts tokens [w·T+1, w·T+T] from [w·T, w·T+T−1]. With a stride s &lt; T each
/// window after the first scores only its last s predictions, so every scored token past the first
/// window is predicted from at least T − s tokens of context (sliding-window evaluation, at T/s times
/// the compute): the loss then measures the model rather than where the windows happen to cut the
/// text, which matters most when comparing tokenizers, whose tokens need different amounts of context.
/// Every evaluation scores the same tokens in the same order.
/// </summary>
public sealed class Evaluator
{
    private readonly GptModel _model;
    private readonly int[] _tokens;
    private readonly int[] _targets;
    private readonly int[] _window;

    /// <summary>
    /// Evaluates with <paramref name="model"/>, at most its planned batch per forward pass, with windows
    /// every <paramref name="stride"/> tokens (0 = the block size: no overlap).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is negative or above the block size.</exception>
    public Evaluator(GptModel model, int stride = 0)
    {
        var t = model.Config.BlockSize;
        if (stride < 0 || stride > t)
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"the evaluation stride must be between 1 and the block size {t} (0 = the block size)");
        _model = model;
        Stride = stride == 0 ? t : stride;
        var rows = model.BatchSize * t;
        _tokens = new int[rows];
        _targets = new int[rows];
        _window = new int[t + 1];
    }

    /// <summary>Tokens between the starts of consecutive windows, from 1 to the block size.</summary>
    public int Stride { get; }

    /// <summary>
    /// Evaluates up to <paramref name="maxTokens"/> scored tokens (0 = every full window) of
    /// <paramref name="data"/>: the loss is their mean in nats; <paramref name="tokenBytes"/> gives bytes
    /// per id for bits per byte, which is the nats of the scored tokens with at least one byte over
    /// ln 2 times their bytes (special tokens, 0 bytes, are left out of both sums).
    /// </summary>
    public EvalMetrics Evaluate(ITokenSequence data, int[]? tokenBytes, long maxTokens, long step)
    {
        var t = _model.Config.BlockSize;
        var s = Stride;
        // Window w covers tokens [w·s, w·s + T]; the first scores all T predictions, the others their last s.
        var windows = data.Count - 1 < t ? 0 : (data.Count - 1 - t) / s + 1;
        if (maxTokens > 0)
            windows = Math.Min(windows, maxTokens <= t ? 1 : 1 + (maxTokens - t + s - 1) / s);
        if (windows < 1)
            throw new InvalidOperationException($"validation data has {data.Count} tokens, fewer than one window of {t + 1}");

        double nats = 0, byteNats = 0;
        long bytes = 0, count = 0;
        for (long w = 0; w < windows; w += _model.BatchSize)
        {
            var batch = (int)Math.Min(_model.BatchSize, windows - w);
            for (var b = 0; b < batch; b++)
            {
                data.CopyTo((w + b) * s, _window);
                _window.AsSpan(0, t).CopyTo(_tokens.AsSpan(b * t));
                _window.AsSpan(1, t).CopyTo(_targets.AsSpan(b * t));
            }
            var rows = batch * t;
            _model.Forward(_tokens.AsSpan(0, rows), _targets.AsSpan(0, rows), batch);
            var losses = _model.TokenLosses;
            for (var b = 0; b < batch; b++)
            {
                // Positions before `first` were scored by an earlier window with more context.
                var first = w + b == 0 ? 0 : t - s;
                for (var r = b * t + first; r < (b + 1) * t; r++)
                {
                    nats += losses[r];
                    count++;
                    if (tokenBytes is null)
                        continue;
                    // Bits per byte leaves special tokens (0 bytes, such as end-of-text) out of both sums.
                    var n = tokenBytes[_targets[r]];
                    if (n == 0)
                        continue;
                    bytes += n;
                    byteNats += losses[r];
                }
            }
        }

        double? bpb = tokenBytes is null || bytes == 0 ? null : byteNats / (Math.Log(2) * bytes);
        return new EvalMetrics(step, nats / count, bpb, count);
    }
}
