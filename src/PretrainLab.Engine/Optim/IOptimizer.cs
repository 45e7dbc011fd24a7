using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Optim;

/// <summary>An optimizer over a model's parameters, with named state for checkpoints.</summary>
public interface IOptimizer : IDisposable
{
    /// <summary>Optimizer steps taken so far.</summary>
    long StepCount { get; set; }

    /// <summary>
    /// Applies one update from the current gradients. <paramref name="lr"/> is the schedule's rate for
    /// the base learning rate; each parameter group scales it by its own rate over the base one.
    /// </summary>
    void Step(double lr);

    /// <summary>Every state tensor, named <c>{parameter}.{kind}</c> (e.g. <c>.exp_avg</c>), with its shape.</summary>
    IEnumerable<OptimizerState> State { get; }
}

/// <summary>One named state tensor of an optimizer.</summary>
/// <param name="Name">The checkpoint name.</param>
/// <param name="Shape">Its shape (that of the parameter it belongs to).</param>
/// <param name="Values">The values.</param>
public readonly record struct OptimizerState(string Name, int[] Shape, Tensor Values);
