namespace PretrainLab.Engine.Optim;

/// <summary>Warmup, then a constant <c>lr</c> for the whole run.</summary>
public sealed class ConstantSchedule(double maxLr, long warmupSteps) : LearningRateSchedule(maxLr, warmupSteps, 1.0)
{
    /// <inheritdoc/>
    protected override double AfterWarmup(long step, long totalSteps) => MaxLr;
}
