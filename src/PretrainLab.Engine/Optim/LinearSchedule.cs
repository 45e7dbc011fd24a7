namespace PretrainLab.Engine.Optim;

/// <summary>Warmup, then linear decay from <c>lr</c> to <c>lr·finalFraction</c> at the last step.</summary>
public sealed class LinearSchedule(double maxLr, long warmupSteps, double finalFraction)
    : LearningRateSchedule(maxLr, warmupSteps, finalFraction)
{
    /// <inheritdoc/>
    protected override double AfterWarmup(long step, long totalSteps) =>
        MaxLr - DecayRatio(step, totalSteps) * (MaxLr - MinLr);
}
