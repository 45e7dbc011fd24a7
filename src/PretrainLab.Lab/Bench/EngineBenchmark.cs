using System.Diagnostics;
using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;
using PretrainLab.Lab.Analysis;

namespace PretrainLab.Lab.Bench;

/// <summary>
/// Times full training steps of the engine on one preset, as <c>Trainer</c> runs them: zero the
/// gradients, forward with the loss, backward of the mean loss, global gradient norm and clipping
/// at 1.0, an AdamW update (betas 0.9/0.95, weight decay 0.1). The batch is random tokens drawn
/// once from a fixed seed; data loading is not part of the step.
/// </summary>
public static class EngineBenchmark
{
    /// <summary>Seed of the initialisation and of the token batch.</summary>
    public const ulong Seed = 1337;

    private const double LearningRate = 6e-4;
    private const double GradClip = 1.0;

    /// <summary>Seconds of untimed steps by default: enough for the JIT to settle (see <see cref="Run"/>).</summary>
    public const double DefaultWarmupSeconds = 2;

    /// <summary>
    /// Builds the preset's model on <paramref name="parallelism"/>, runs untimed steps until at least
    /// <paramref name="warmup"/> steps and <paramref name="warmupSeconds"/> seconds have passed, then
    /// <paramref name="steps"/> timed ones, and relates the rate to <paramref name="ceiling"/>.
    /// </summary>
    /// <remarks>
    /// The warm-up is timed because the JIT is: the runtime recompiles hot methods with full optimisation in the
    /// background, starting about 100 ms after their 30th call, and until it has, steps run partly on first-tier code and
    /// share the cores with the compiler. On two threads of tiny that is the first ~30 steps (about 0.6 s) at roughly
    /// half the steady rate, which a 3-step warm-up would have timed as the engine's speed.
    /// </remarks>
    public static BenchResult Run(BenchPreset preset, Parallelism parallelism, int steps, int warmup, double warmupSeconds, FmaProbeResult ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSeconds);
        var config = preset.Config;
        var batch = preset.BatchSize;
        var t = config.BlockSize;
        var rows = batch * t;

        PeakResidentSet.Reset();
        using var model = new GptModel(config, batch, parallelism);
        model.Initialize(Seed);
        using var optimizer = new AdamW(model.Parameters, new AdamWOptions(Beta1: 0.9, Beta2: 0.95, WeightDecay: 0.1));
        var (tokens, targets) = RandomBatch(config, batch);

        var warmupStart = Stopwatch.GetTimestamp();
        var warmupSteps = 0;
        while (warmupSteps < warmup || Seconds(warmupStart, Stopwatch.GetTimestamp()) < warmupSeconds)
        {
            Step(model, optimizer, tokens, targets, batch, rows, null);
            warmupSteps++;
        }
        var warmedFor = Seconds(warmupStart, Stopwatch.GetTimestamp());

        var stepSeconds = new double[steps];
        var phases = new double[4];
        for (var i = 0; i < steps; i++)
            stepSeconds[i] = Step(model, optimizer, tokens, targets, batch, rows, phases);

        var median = Statistics.Median(stepSeconds.Select(s => rows / s));
        var gflops = config.TrainingFlopsPerToken * median / 1e9;
        return new BenchResult
        {
            Preset = preset.Name,
            Threads = parallelism.Threads,
            NLayer = config.NLayer,
            NHead = config.NHead,
            NEmbd = config.NEmbd,
            BlockSize = t,
            BatchSize = batch,
            VocabSize = config.VocabSize,
            Parameters = model.Parameters.Count,
            FlopsPerToken = config.TrainingFlopsPerToken,
            Warmup = warmupSteps,
            WarmupSeconds = warmedFor,
            Steps = steps,
            TokensPerSecond = median,
            TokensPerSecondOverall = (double)rows * steps / stepSeconds.Sum(),
            Gflops = gflops,
            FmaCeilingGflops = ceiling.Gflops,
            FmaVectorBits = ceiling.VectorBits,
            CeilingFraction = gflops / ceiling.Gflops,
            PeakRssBytes = PeakResidentSet.Read(),
            ModelBytes = model.AllocatedBytes,
            StepSeconds = stepSeconds,
            PhaseSeconds = new BenchPhases
            {
                Forward = phases[0] / steps,
                Backward = phases[1] / steps,
                Clip = phases[2] / steps,
                Optimizer = phases[3] / steps,
            },
        };
    }

    /// <summary>One step as Trainer.TrainStep runs it; adds each phase's seconds to <paramref name="phases"/> when given.</summary>
    private static double Step(GptModel model, AdamW optimizer, int[] tokens, int[] targets, int batch, int rows, double[]? phases)
    {
        var parameters = model.Parameters;
        var start = Stopwatch.GetTimestamp();
        parameters.ZeroGrad();
        model.Forward(tokens, targets, batch);
        var forwardEnd = Stopwatch.GetTimestamp();
        model.Backward(1f / rows);
        var backwardEnd = Stopwatch.GetTimestamp();
        // torch.nn.utils.clip_grad_norm_, as the trainer applies it.
        var coef = GradClip / (parameters.GradNorm() + 1e-6);
        if (coef < 1)
            parameters.ScaleGrad((float)coef);
        var clipEnd = Stopwatch.GetTimestamp();
        optimizer.Step(LearningRate);
        var end = Stopwatch.GetTimestamp();
        if (phases is not null)
        {
            phases[0] += Seconds(start, forwardEnd);
            phases[1] += Seconds(forwardEnd, backwardEnd);
            phases[2] += Seconds(backwardEnd, clipEnd);
            phases[3] += Seconds(clipEnd, end);
        }
        return Seconds(start, end);
    }

    // Raw ticks rather than TimeSpan, whose 100 ns resolution would keep the phases from adding up to the step.
    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    /// <summary>Uniform random sequences of T + 1 tokens: inputs are the first T, targets the last T.</summary>
    private static (int[] Tokens, int[] Targets) RandomBatch(GptConfig config, int batch)
    {
        var t = config.BlockSize;
        var tokens = new int[batch * t];
        var targets = new int[batch * t];
        var rng = new Rng(Seed);
        var window = new int[t + 1];
        for (var b = 0; b < batch; b++)
        {
            for (var i = 0; i <= t; i++)
                window[i] = (int)rng.NextInt64(config.VocabSize);
            window.AsSpan(0, t).CopyTo(tokens.AsSpan(b * t));
            window.AsSpan(1, t).CopyTo(targets.AsSpan(b * t));
        }
        return (tokens, targets);
    }
}
