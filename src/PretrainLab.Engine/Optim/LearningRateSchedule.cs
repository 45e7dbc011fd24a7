namespace PretrainLab.Engine.Optim;

/// <summary>
/// The learning rate at each optimizer step, given how many steps the run takes in all: nanoGPT's
/// linear warmup <c>lr·(s+1)/(w+1)</c> for s &lt; w, then a shape each subclass defines, ending at
/// <c>lr·finalFraction</c> from the last step on.
/// </summary>
public abstract class LearningRateSchedule(double maxLr, long warmupSteps, double finalFraction)
{
    /// <summary>The peak learning rate.</summary>
    protected double MaxLr { get; } = maxLr;

    /// <summary>Warmup steps.</summary>
    protected long WarmupSteps { get; } = warmupSteps;

    /// <summary>The learning rate after the last step.</summary>
    protected double MinLr { get; } = maxLr * finalFraction;

    /// <summary>The learning rate for step <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>.</summary>
    public double At(long step, long totalSteps)
    {
        if (step < WarmupSteps)
            return MaxLr * (step + 1) / (WarmupSteps + 1);
        return step >= totalSteps ? MinLr : AfterWarmup(step, totalSteps);
    }

    /// <summary>The rate for a step in [warmup, total).</summary>
    protected abstract double AfterWarmup(long step, long totalSteps);

    /// <summary>Progress through the post-warmup steps, 0 at the end of warmup.</summary>
    protected double DecayRatio(long step, long totalSteps) =>
        (double)(step - WarmupSteps) / Math.Max(1, totalSteps - WarmupSteps);
}
