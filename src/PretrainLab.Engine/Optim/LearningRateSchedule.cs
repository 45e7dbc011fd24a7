namespace PretrainLab.Engine.Optim;

/// <summary>
/// The learning rate at each optimizer step, given how many steps the run will take in all. New
/// shapes (linear, warmup-stable-decay) are new subclasses.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for step <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>.</summary>
    public abstract double At(long step, long totalSteps);
}
