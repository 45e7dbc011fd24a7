namespace PretrainLab.Research.Agendas;

/// <summary>How a knob's values are spread: what a sampler draws and how a value is checked.</summary>
public enum KnobKind
{
    /// <summary>A real number in [min, max], drawn uniformly.</summary>
    Float,

    /// <summary>A positive real number in [min, max], drawn uniformly in its logarithm (learning rates).</summary>
    LogFloat,

    /// <summary>An integer in [min, max], drawn uniformly.</summary>
    Int,

    /// <summary>A positive integer in [min, max], drawn uniformly in its logarithm (widths, batch sizes).</summary>
    LogInt,

    /// <summary>One of a list of values, unordered.</summary>
    Categorical,
}
