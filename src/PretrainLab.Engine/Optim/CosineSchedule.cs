namespace PretrainLab.Engine.Optim;

/// <summary>
/// nanoGPT's schedule: warmup, then cosine decay from <c>lr</c> to <c>lr·finalFraction</c> at the
/// last step: <c>min + ½(1 + cos(π·(s − w)/(S − w)))·(lr − min)</c>.
/// </summary>
public sealed class CosineSchedule(double maxLr, long warmupSteps, double finalFraction)
    : LearningRateSchedule(maxLr, warmupSteps, finalFraction)
{
    /// <inheritdoc/>
    protected override double AfterWarmup(long step, long totalSteps) =>
        MinLr + 0.5 * (1.0 + Math.Cos(Math.PI * DecayRatio(step, totalSteps))) * (MaxLr - MinLr);
}
