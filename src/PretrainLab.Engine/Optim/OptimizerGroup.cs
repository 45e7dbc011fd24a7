using PretrainLab.Engine.Tensors;

namespace PretrainLab.Engine.Optim;

/// <summary>Several optimizers over disjoint parameters (Muon for hidden matrices, AdamW for the rest), stepped together.</summary>
public sealed class OptimizerGroup(params IOptimizer[] members) : IOptimizer
{
    /// <inheritdoc/>
    public long StepCount
    {
        get => members[0].StepCount;
        set
        {
            foreach (var m in members)
                m.StepCount = value;
        }
    }

    /// <inheritdoc/>
    public IEnumerable<OptimizerState> State => members.SelectMany(m => m.State);

    /// <inheritdoc/>
    public void Step(double lr)
    {
        foreach (var m in members)
            m.Step(lr);
    }

    /// <summary>Disposes every member.</summary>
    public void Dispose()
    {
        foreach (var m in members)
            m.Dispose();
    }
}
