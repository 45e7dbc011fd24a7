using PretrainLab.Engine.Model;

namespace PretrainLab.Lab.Recipes;

/// <summary>The GPT architecture of a run (recipe section <c>model</c>).</summary>
/// <param name="NLayer">Transformer blocks (<c>n_layer</c>), at least 1.</param>
/// <param name="NHead">Attention heads per block (<c>n_head</c>), at least 1.</param>
/// <param name="NEmbd">Embedding width (<c>n_embd</c>), at least 1 and divisible by <paramref name="NHead"/>.</param>
/// <param name="BlockSize">Context length in tokens (<c>block_size</c>), at least 1.</param>
/// <param name="VocabSize">Vocabulary size (<c>vocab_size</c>), at least 2.</param>
public sealed record ModelSpec(int NLayer, int NHead, int NEmbd, int BlockSize, int VocabSize)
{
    /// <summary>The normalisation (<c>norm</c>): <c>layernorm</c> (GPT-2) or <c>rmsnorm</c>.</summary>
    public NormKind Norm { get; init; } = NormKind.LayerNorm;

    /// <summary>Whether RMSNorm has a learned gain (<c>norm_gain</c>); LayerNorm always has one.</summary>
    public bool NormGain { get; init; } = true;

    /// <summary>The MLP nonlinearity (<c>activation</c>): <c>gelu</c> (tanh form) or <c>relu2</c>.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.Gelu;

    /// <summary>MLP hidden width over <see cref="NEmbd"/> (<c>mlp_ratio</c>), GPT-2: 4.</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>Biases in linear layers and LayerNorms (<c>bias</c>), GPT-2: true.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>Positions (<c>position</c>): <c>learned</c> (GPT-2's wpe) or <c>rope</c>.</summary>
    public PositionKind Position { get; init; } = PositionKind.Learned;

    /// <summary>RoPE base θ (<c>rope_theta</c>).</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>RMS-normalise each head's queries and keys (<c>qk_norm</c>).</summary>
    public bool QkNorm { get; init; }

    /// <summary>Key/value heads (<c>n_kv_head</c>); null = n_head; must divide n_head (1 = multi-query).</summary>
    public int? NKvHead { get; init; }

    /// <summary>Logit soft-cap c (<c>logit_softcap</c>): logits become c·tanh(z/c); 0 disables.</summary>
    public double LogitSoftcap { get; init; }

    /// <summary>Zero-initialise the residual output projections (<c>zero_init_proj</c>).</summary>
    public bool ZeroInitProj { get; init; }

    /// <summary>Standard deviation of weight initialisation (<c>init_std</c>), GPT-2: 0.02.</summary>
    public double InitStd { get; init; } = 0.02;

    /// <summary>A norm right after the embedding (<c>embed_norm</c>).</summary>
    public bool EmbedNorm { get; init; }

    /// <summary>Head tied to the token embedding (<c>tie_head</c>), GPT-2: true; untied adds <c>lm_head.weight</c>.</summary>
    public bool TieHead { get; init; } = true;

    /// <summary>A 4-layer, 128-wide byte-level model that trains on a laptop CPU in minutes.</summary>
    public static ModelSpec Default { get; } = new(NLayer: 4, NHead: 4, NEmbd: 128, BlockSize: 64, VocabSize: 256);
}
