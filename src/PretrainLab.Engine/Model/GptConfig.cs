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

    /// <summary>Learned positions (GPT-2) or rotary embeddings.</summary>
    public PositionKind Position { get; init; } = PositionKind.Learned;

    /// <summary>RoPE base θ: frequency i of a head is <c>θ^(−2i/d_head)</c>.</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>RMSNorm (no gain) on each head's queries and keys before attention (and before RoPE).</summary>
    public bool QkNorm { get; init; }

    /// <summary>Key/value heads; fewer than <see cref="NHead"/> gives grouped-query attention, 1 gives multi-query. 0 means <see cref="NHead"/>.</summary>
    public int NKvHead { get; init; }

    /// <summary>Logit soft-cap c: logits become <c>c·tanh(z/c)</c>; 0 disables.</summary>
    public float LogitSoftcap { get; init; }

    /// <summary>Initialise the residual output projections (<c>attn.c_proj</c>, <c>mlp.c_proj</c>) to zero (modded-nanogpt).</summary>
    public bool ZeroInitProjections { get; init; }

    /// <summary>A norm (<c>transformer.ln_e</c>) right after the embedding.</summary>
    public bool EmbedNorm { get; init; }

    /// <summary>Key/value heads after resolving 0 to <see cref="NHead"/>.</summary>
    public int KvHeads => NKvHead == 0 ? NHead : NKvHead;

    /// <summary>Width of one head.</summary>
    public int HeadSize => NEmbd / NHead;

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
        if (KvHeads < 1 || NHead % KvHeads != 0) throw new ArgumentException($"n_kv_head {NKvHead} does not divide n_head {NHead}");
        if (Position == PositionKind.Rope && HeadSize % 2 != 0) throw new ArgumentException($"rope needs an even head size, got {HeadSize}");
        if (!(RopeTheta > 0)) throw new ArgumentException($"rope_theta must be > 0, got {RopeTheta}");
        if (!(LogitSoftcap >= 0)) throw new ArgumentException($"logit_softcap must be >= 0, got {LogitSoftcap}");
    }

    /// <summary>
    /// Parameters that multiply activations, which is the N of 6N: per block the attention's
    /// <c>C·(C + 2·kv) + C²</c> (kv = key/value width) and the MLP's <c>2·C·H</c> (<c>3·C·H</c> for
    /// SwiGLU), plus the head's <c>V·C</c> (tied or not, it is one matmul).
    /// </summary>
    public long MatmulParameters
    {
        get
        {
            long c = NEmbd, kv = (long)KvHeads * HeadSize;
            var attention = c * (c + 2 * kv) + c * c;
            var mlp = (Activation == ActivationKind.SwiGlu ? 3L : 2L) * c * MlpHidden;
            return NLayer * (attention + mlp) + (long)VocabSize * c;
        }
    }

    /// <summary>
    /// Training FLOPs per token (forward and backward): <c>6·N</c> for the matrix products plus
    /// <c>6·n_layer·T·C</c> for attention scores and weighted sums under the causal mask
    /// (2·T·C multiply-adds forward per token and layer, halved by the mask, tripled for backward).
    /// </summary>
    public double TrainingFlopsPerToken => 6.0 * MatmulParameters + 6.0 * NLayer * BlockSize * NEmbd;
}
