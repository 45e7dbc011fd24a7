namespace PretrainLab.Engine.Optim;

/// <summary>
/// Warmup-stable-decay ("trapezoid", modded-nanogpt): warmup, a constant <c>lr</c>, then over the
/// last <c>decayFraction</c> of the steps a linear cool-down to <c>lr·finalFraction</c> at the last step.
/// </summary>
public sealed class WarmupStableDecaySchedule(double maxLr, long warmupSteps, double decayFraction, double finalFraction)
    : LearningRateSchedule(maxLr, warmupSteps, finalFraction)
{
    /// <inheritdoc/>
    protected override double AfterWarmup(long step, long totalSteps)
    {
        var decaySteps = Math.Max(1, (long)Math.Round(decayFraction * totalSteps));
        var decayStart = Math.Max(WarmupSteps, totalSteps - decaySteps);
        if (step < decayStart)
            return MaxLr;
        var ratio = (double)(step - decayStart) / Math.Max(1, totalSteps - decayStart);
        return MaxLr - ratio * (MaxLr - MinLr);
    }
}
