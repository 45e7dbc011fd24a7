namespace PretrainLab.Lab.Recipes;

/// <summary>The GPT architecture of a run (recipe section <c>model</c>).</summary>
/// <param name="NLayer">Transformer blocks (<c>n_layer</c>), at least 1.</param>
/// <param name="NHead">Attention heads per block (<c>n_head</c>), at least 1.</param>
/// <param name="NEmbd">Embedding width (<c>n_embd</c>), at least 1 and divisible by <paramref name="NHead"/>.</param>
/// <param name="BlockSize">Context length in tokens (<c>block_size</c>), at least 1.</param>
/// <param name="VocabSize">Vocabulary size (<c>vocab_size</c>), at least 2.</param>
public sealed record ModelSpec(int NLayer, int NHead, int NEmbd, int BlockSize, int VocabSize)
{
    /// <summary>A 4-layer, 128-wide byte-level model that trains on a laptop CPU in minutes.</summary>
    public static ModelSpec Default { get; } = new(NLayer: 4, NHead: 4, NEmbd: 128, BlockSize: 64, VocabSize: 256);
}
