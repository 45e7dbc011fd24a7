namespace PretrainLab.Engine.Model;

/// <summary>The shape of a GPT-style model. The defaults give GPT-2; the other knobs give the modern variants.</summary>
/// <param name="NLayer">Transformer blocks.</param>
/// <param name="NHead">Attention heads per block; must divide <paramref name="NEmbd"/>.</param>
/// <param name="NEmbd">Model width (residual stream size).</param>
/// <param name="BlockSize">Context length in tokens.</param>
/// <param name="VocabSize">Vocabulary size.</param>
/// <param name="InitStd">Standard deviation of weight initialisation (GPT-2: 0.02).</param>
public sealed record GptConfig(int NLayer, int NHead, int NEmbd, int BlockSize, int VocabSize, float InitStd = 0.02f)
{
    /// <summary>The normalisation used in blocks and before the head.</summary>
    public NormKind Norm { get; init; } = NormKind.LayerNorm;

    /// <summary>Whether RMSNorm has a learned gain (LayerNorm always has one).</summary>
    public bool NormGain { get; init; } = true;

    /// <summary>The MLP nonlinearity.</summary>
    public ActivationKind Activation { get; init; } = ActivationKind.Gelu;

    /// <summary>MLP hidden width as a multiple of <see cref="NEmbd"/> (GPT-2: 4).</summary>
    public double MlpRatio { get; init; } = 4.0;

    /// <summary>Whether linear layers and LayerNorms have biases (GPT-2: yes).</summary>
    public bool Bias { get; init; } = true;

    /// <summary>Whether the output head shares the token embedding (GPT-2: yes); untied adds <c>lm_head.weight</c>.</summary>
    public bool TieHead { get; init; } = true;

    /// <summary>The MLP hidden width, <c>round(MlpRatio · NEmbd)</c>.</summary>
    public int MlpHidden => (int)Math.Round(MlpRatio * NEmbd);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first impossible field.</summary>
    public void Validate()
    {
        if (NLayer < 1) throw new ArgumentException($"n_layer must be >= 1, got {NLayer}");
        if (NHead < 1) throw new ArgumentException($"n_head must be >= 1, got {NHead}");
        if (NEmbd < 1) throw new ArgumentException($"n_embd must be >= 1, got {NEmbd}");
        if (NEmbd % NHead != 0) throw new ArgumentException($"n_embd {NEmbd} is not divisible by n_head {NHead}");
        if (BlockSize < 1) throw new ArgumentException($"block_size must be >= 1, got {BlockSize}");
        if (VocabSize < 2) throw new ArgumentException($"vocab_size must be >= 2, got {VocabSize}");
        if (!(InitStd > 0)) throw new ArgumentException($"init std must be > 0, got {InitStd}");
        if (MlpHidden < 1) throw new ArgumentException($"mlp_ratio {MlpRatio} gives no hidden units");
    }

    /// <summary>
    /// Parameters that multiply activations, which is the N of 6N: per block the attention's
    /// <c>4C²</c> and the MLP's <c>2·C·H</c>, plus the head's <c>V·C</c> (tied or not, it is one matmul).
    /// </summary>
    public long MatmulParameters => (long)NLayer * (4L * NEmbd * NEmbd + 2L * NEmbd * MlpHidden) + (long)VocabSize * NEmbd;

    /// <summary>
    /// Training FLOPs per token (forward and backward): <c>6·N</c> for the matrix products plus
    /// <c>6·n_layer·T·C</c> for attention scores and weighted sums under the causal mask
    /// (2·T·C multiply-adds forward per token and layer, halved by the mask, tripled for backward).
    /// </summary>
    public double TrainingFlopsPerToken => 6.0 * MatmulParameters + 6.0 * NLayer * BlockSize * NEmbd;
}
