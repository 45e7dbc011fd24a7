using System.Diagnostics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;

namespace PretrainLab.Engine.Training;

/// <summary>
/// The training loop: per step, <c>GradAccum</c> micro-batches at random offsets derived from
/// (seed, step, micro-batch), mean-loss gradients, global-norm clipping, an optimizer update at the
/// schedule's rate; evaluation and checkpoints at intervals; stop at the budget or on divergence.
/// </summary>
/// <remarks>
/// Every random choice is a function of the seed and the step, and every kernel is independent of
/// the thread count, so a run resumed from a checkpoint follows the uninterrupted run's trajectory.
/// </remarks>
public sealed class Trainer
{
    private readonly GptModel _model;
    private readonly IOptimizer _optimizer;
    private readonly TrainingData _data;
    private readonly TrainingOptions _options;
    private readonly ITrainingObserver? _observer;
    private readonly Evaluator _evaluator;
    private readonly int[] _tokens;
    private readonly int[] _targets;
    private readonly int[] _window;

    /// <summary>Trains <paramref name="model"/> with <paramref name="optimizer"/> on <paramref name="data"/>.</summary>
    public Trainer(GptModel model, IOptimizer optimizer, TrainingData data, TrainingOptions options, ITrainingObserver? observer = null)
    {
        options.Budget.Validate();
        if (options.BatchSize != model.BatchSize)
            throw new ArgumentException($"batch size {options.BatchSize} differs from the model's planned {model.BatchSize}");
        var t = model.Config.BlockSize;
        if (data.Train.Count < t + 1)
            throw new ArgumentException($"training data has {data.Train.Count} tokens, fewer than one window of {t + 1}");
        _model = model;
        _optimizer = optimizer;
        _data = data;
        _options = options;
        _observer = observer;
        _evaluator = new Evaluator(model, options.EvalStride);
        _tokens = new int[options.BatchSize * t];
        _targets = new int[options.BatchSize * t];
        _window = new int[t + 1];
    }

    /// <summary>Tokens consumed by one optimizer step.</summary>
    public long TokensPerStep => (long)_options.BatchSize * _options.GradAccum * _model.Config.BlockSize;

    /// <summary>
    /// Trains from <paramref name="start"/> (a fresh state, or one restored from a checkpoint whose
    /// parameters and moments are already loaded) until the budget is spent, the loss diverges, or
    /// <paramref name="cancellation"/> is signalled.
    /// </summary>
    public TrainingResult Run(TrainerState? start = null, CancellationToken cancellation = default)
    {
        var state = start ?? new TrainerState();
        var flopsPerToken = _model.Config.TrainingFlopsPerToken;
        var plannedSteps = _options.Budget.TotalSteps(TokensPerStep, flopsPerToken);
        EvalMetrics? lastEval = null;
        var clock = new Stopwatch();

        while (true)
        {
            var totalSteps = plannedSteps ?? EstimateTotalSteps(state);
            if (state.Step >= totalSteps || (_options.Budget.Seconds is { } s && state.TrainSeconds >= s))
                break;
            if (cancellation.IsCancellationRequested)
            {
                _observer?.OnCheckpoint(state);
                return Result(RunStatus.Cancelled, $"cancelled at step {state.Step}", state, lastEval);
            }

            clock.Restart();
            var lr = _options.Schedule.At(state.Step, totalSteps);
            var (loss, norm) = TrainStep(state.Step, lr, out var divergence);
            var seconds = clock.Elapsed.TotalSeconds;
            // One-step spikes that recover are normal (PyTorch shows them too); only a loss that stays
            // far above its minimum for DivergencePatience steps in a row is divergence.
            var above = loss > state.MinLoss + _options.DivergenceMargin;
            var stepsAbove = above ? state.StepsAboveMargin + 1 : 0;
            if (divergence is null && stepsAbove >= _options.DivergencePatience)
            {
                divergence = $"loss {loss:F4} has been more than {_options.DivergenceMargin} nats above its minimum {state.MinLoss:F4} " +
                    $"for {stepsAbove} steps";
            }

            state = state with
            {
                Step = state.Step + 1,
                Tokens = state.Tokens + TokensPerStep,
                TrainSeconds = state.TrainSeconds + seconds,
                MinLoss = double.IsFinite(loss) ? Math.Min(state.MinLoss, loss) : state.MinLoss,
                LastLoss = loss,
                StepsAboveMargin = stepsAbove,
            };
            _observer?.OnStep(new StepMetrics(state.Step, loss, lr, norm, state.Tokens, TokensPerStep / Math.Max(seconds, 1e-9),
                plannedSteps ?? EstimateTotalSteps(state), state.TrainSeconds));
            if (divergence is not null)
                return Result(RunStatus.Diverged, $"diverged at step {state.Step}: {divergence}", state, lastEval);

            var done = state.Step >= (plannedSteps ?? long.MaxValue) || (_options.Budget.Seconds is { } limit && state.TrainSeconds >= limit);
            if (!done && _options.EvalInterval > 0 && state.Step % _options.EvalInterval == 0)
                lastEval = Evaluate(state.Step);
            if (!done && _options.CheckpointInterval > 0 && state.Step % _options.CheckpointInterval == 0)
                _observer?.OnCheckpoint(state);
        }

        lastEval = Evaluate(state.Step);
        _observer?.OnCheckpoint(state);
        return Result(RunStatus.Finished, null, state, lastEval);
    }

    /// <summary>Evaluates the current model on the validation split.</summary>
    public EvalMetrics Evaluate(long step)
    {
        var metrics = _evaluator.Evaluate(_data.Validation, _data.TokenBytes, _options.EvalTokens, step);
        _observer?.OnEval(metrics);
        return metrics;
    }

    private (double Loss, double GradNorm) TrainStep(long step, double lr, out string? divergence)
    {
        divergence = null;
        var t = _model.Config.BlockSize;
        var batch = _options.BatchSize;
        var rows = batch * t;
        var parameters = _model.Parameters;
        parameters.ZeroGrad();
        double lossSum = 0;
        for (var micro = 0; micro < _options.GradAccum; micro++)
        {
            SampleBatch(step, micro);
            lossSum += _model.Forward(_tokens, _targets, batch);
            _model.Backward(1f / (rows * _options.GradAccum));
        }

        var loss = lossSum / ((double)rows * _options.GradAccum);
        var norm = parameters.GradNorm();
        if (!double.IsFinite(loss) || !double.IsFinite(norm))
        {
            divergence = !double.IsFinite(loss) ? $"loss is {loss}" : $"gradient norm is {norm}";
            return (loss, norm);
        }

        // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1.
        if (_options.GradClip > 0)
        {
            var coef = _options.GradClip / (norm + 1e-6);
            if (coef < 1)
                parameters.ScaleGrad((float)coef);
        }

        _optimizer.Step(lr);
        return (loss, norm);
    }

    private void SampleBatch(long step, int micro)
    {
        var t = _model.Config.BlockSize;
        // nanoGPT's torch.randint(len(data) - block_size): offsets in [0, len − T − 1].
        var range = _data.Train.Count - t;
        var rng = Rng.ForStream(_options.Seed, (ulong)step, (ulong)micro, 0x7472_6169_6EUL);
        for (var b = 0; b < _options.BatchSize; b++)
        {
            _data.Train.CopyTo(rng.NextInt64(range), _window);
            _window.AsSpan(0, t).CopyTo(_tokens.AsSpan(b * t));
            _window.AsSpan(1, t).CopyTo(_targets.AsSpan(b * t));
        }
    }

    private long EstimateTotalSteps(TrainerState state)
    {
        // Time budgets: project the step count from throughput so far, so the schedule decays on time.
        var seconds = _options.Budget.Seconds!.Value;
        if (state.Step == 0 || state.TrainSeconds <= 0)
            return long.MaxValue;
        return Math.Max(state.Step + 1, (long)(state.Step * seconds / state.TrainSeconds));
    }

    private TrainingResult Result(RunStatus status, string? reason, TrainerState state, EvalMetrics? eval) => new()
    {
        Status = status,
        Reason = reason,
        State = state,
        Validation = eval,
        Flops = state.Tokens * _model.Config.TrainingFlopsPerToken,
    };
}
