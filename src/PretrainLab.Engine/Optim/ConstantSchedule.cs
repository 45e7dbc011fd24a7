namespace PretrainLab.Engine.Optim;

/// <summary>Linear warmup <c>lr·(s+1)/(w+1)</c> for s &lt; w, then a constant <c>lr</c>.</summary>
public sealed class ConstantSchedule(double maxLr, long warmupSteps) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long step, long totalSteps) =>
        step < warmupSteps ? maxLr * (step + 1) / (warmupSteps + 1) : maxLr;
}
