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
    /// <paramref name="data"/>; <paramref name="tokenBytes"/> gives bytes per id for bits per byte.
    /// </summary>
    public EvalMetrics Evaluate(ITokenSequence data, int[]? tokenBytes, long maxTokens, long step)
    {
        var t = _model.Config.BlockSize;
        var windows = (data.Count - 1) / t;
        if (maxTokens > 0)
            windows = Math.Min(windows, (maxTokens + t - 1) / t);
        if (windows < 1)
            throw new InvalidOperationException($"validation data has {data.Count} tokens, fewer than one window of {t + 1}");

        double nats = 0;
        long bytes = 0;
        for (long w = 0; w < windows; w += _model.BatchSize)
        {
            var batch = (int)Math.Min(_model.BatchSize, windows - w);
            for (var b = 0; b < batch; b++)
            {
                data.CopyTo((w + b) * t, _window);
                _window.AsSpan(0, t).CopyTo(_tokens.AsSpan(b * t));
                _window.AsSpan(1, t).CopyTo(_targets.AsSpan(b * t));
                if (tokenBytes is not null)
                {
                    for (var i = 1; i <= t; i++)
                        bytes += tokenBytes[_window[i]];
                }
            }
            nats += _model.Forward(_tokens.AsSpan(0, batch * t), _targets.AsSpan(0, batch * t), batch);
        }

        var count = windows * t;
        double? bpb = tokenBytes is null || bytes == 0 ? null : nats / (Math.Log(2) * bytes);
        return new EvalMetrics(step, nats / count, bpb, count);
    }
}
