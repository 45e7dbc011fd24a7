using PretrainLab.Engine.Model;

namespace PretrainLab.Engine.Training;

/// <summary>
/// Validation loss and bits per byte over consecutive, non-overlapping windows of a token sequence:
/// window w predicts tokens [w·T+1, w·T+T] from [w·T, w·T+T−1], so every evaluation sees the same
/// tokens in the same order.
/// </summary>
public sealed class Evaluator
{
    private readonly GptModel _model;
    private readonly int[] _tokens;
    private readonly int[] _targets;
    private readonly int[] _window;

    /// <summary>Evaluates with <paramref name="model"/>, at most its planned batch per forward pass.</summary>
    public Evaluator(GptModel model)
    {
        _model = model;
        var rows = model.BatchSize * model.Config.BlockSize;
        _tokens = new int[rows];
        _targets = new int[rows];
        _window = new int[model.Config.BlockSize + 1];
    }

    /// <summary>
    /// Evaluates up to <paramref name="maxTokens"/> predicted tokens (0 = every full window) of
    /// <paramref name="data"/>; <paramref name="tokenBytes"/> gives bytes per id for bits per byte,
    /// which is the nats of the predicted tokens with at least one byte over ln 2 times their bytes
    /// (special tokens, 0 bytes, are left out of both sums).
    /// </summary>
    public EvalMetrics Evaluate(ITokenSequence data, int[]? tokenBytes, long maxTokens, long step)
    {
        var t = _model.Config.BlockSize;
        var windows = (data.Count - 1) / t;
        if (maxTokens > 0)
            windows = Math.Min(windows, (maxTokens + t - 1) / t);
        if (windows < 1)
            throw new InvalidOperationException($"validation data has {data.Count} tokens, fewer than one window of {t + 1}");

        double nats = 0, byteNats = 0;
        long bytes = 0;
        for (long w = 0; w < windows; w += _model.BatchSize)
        {
            var batch = (int)Math.Min(_model.BatchSize, windows - w);
            for (var b = 0; b < batch; b++)
            {
                data.CopyTo((w + b) * t, _window);
                _window.AsSpan(0, t).CopyTo(_tokens.AsSpan(b * t));
                _window.AsSpan(1, t).CopyTo(_targets.AsSpan(b * t));
            }
            var rows = batch * t;
            nats += _model.Forward(_tokens.AsSpan(0, rows), _targets.AsSpan(0, rows), batch);
            if (tokenBytes is null)
                continue;
            // Bits per byte leaves special tokens (0 bytes, such as end-of-text) out of both sums.
            var losses = _model.TokenLosses;
            for (var r = 0; r < rows; r++)
            {
                var b = tokenBytes[_targets[r]];
                if (b == 0)
                    continue;
                bytes += b;
                byteNats += losses[r];
            }
        }

        var count = windows * t;
        double? bpb = tokenBytes is null || bytes == 0 ? null : byteNats / (Math.Log(2) * bytes);
        return new EvalMetrics(step, nats / count, bpb, count);
    }
}
