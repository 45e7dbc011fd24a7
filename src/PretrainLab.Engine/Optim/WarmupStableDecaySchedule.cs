namespace PretrainLab.Engine.Optim;

/// <summary>
/// Warmup-stable-decay ("trapezoid", modded-nanogpt): linear warmup <c>lr·(s+1)/(w+1)</c> for
/// s &lt; w, constant <c>lr</c>, then over the last <c>decayFraction</c> of the steps a linear
/// cool-down to <c>lr·finalFraction</c> at the last step.
/// </summary>
public sealed class WarmupStableDecaySchedule(double maxLr, long warmupSteps, double decayFraction, double finalFraction)
    : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long step, long totalSteps)
    {
        if (step < warmupSteps)
            return maxLr * (step + 1) / (warmupSteps + 1);
        var minLr = maxLr * finalFraction;
        if (step >= totalSteps)
            return minLr;
        var decaySteps = Math.Max(1, (long)Math.Round(decayFraction * totalSteps));
        var decayStart = Math.Max(warmupSteps, totalSteps - decaySteps);
        if (step < decayStart)
            return maxLr;
        var ratio = (double)(step - decayStart) / Math.Max(1, totalSteps - decayStart);
        return maxLr - ratio * (maxLr - minLr);
    }
}
