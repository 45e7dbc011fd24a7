namespace PretrainLab.Engine.Model;

/// <summary>
/// What a parameter is for, which decides its optimizer group: weight decay applies to 2-D weights
/// only (nanoGPT's rule), and later optimizers (Muon) treat hidden matrices apart from embeddings.
/// </summary>
public enum ParameterKind
{
    /// <summary>A 2-D weight of a hidden linear layer.</summary>
    Matrix,

    /// <summary>A token or position embedding table (2-D; also the tied output head).</summary>
    Embedding,

    /// <summary>An untied output head (2-D).</summary>
    Head,

    /// <summary>A bias or a norm gain (1-D).</summary>
    Vector,
}
