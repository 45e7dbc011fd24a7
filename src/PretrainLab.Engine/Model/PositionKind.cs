namespace PretrainLab.Engine.Model;

/// <summary>How the model knows token positions.</summary>
public enum PositionKind
{
    /// <summary>A learned position table <c>wpe</c> added to the token embedding (GPT-2).</summary>
    Learned,

    /// <summary>Rotary embeddings (Su et al., RoFormer) applied to queries and keys in every block; no <c>wpe</c>.</summary>
    Rope,
}
