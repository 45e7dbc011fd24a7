namespace PretrainLab.Engine.Optim;

/// <summary>Which optimizer trains a model.</summary>
public enum OptimizerKind
{
    /// <summary>AdamW for every parameter.</summary>
    AdamW,

    /// <summary>Muon for hidden matrices, AdamW for embeddings, head and vectors.</summary>
    Muon,
}
