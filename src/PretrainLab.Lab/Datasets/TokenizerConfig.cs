namespace PretrainLab.Lab.Datasets;

/// <summary>The tokenizer of a dataset (configuration section <c>tokenizer</c>).</summary>
/// <param name="Kind">Where it comes from (<c>kind</c>).</param>
/// <param name="Path">The rank file (tiktoken) or tokenizer folder (directory), absolute; null otherwise (<c>path</c>).</param>
/// <param name="Pattern">The split pattern: <c>gpt2</c>, <c>cl100k</c> or a regular expression (<c>pattern</c>; tiktoken and train).</param>
/// <param name="VocabSize">The vocabulary to train, end-of-text token included (<c>vocab_size</c>; train).</param>
/// <param name="Eot">The end-of-text token's text (<c>eot</c>).</param>
/// <param name="EotId">
/// Its id for a tiktoken rank file (<c>eot_id</c>); null gives the id after the largest rank
/// (50256 for r50k_base; cl100k_base's is 100257, which must be given).
/// </param>
public sealed record TokenizerConfig(TokenizerKind Kind, string? Path, string Pattern, int VocabSize, string Eot, int? EotId);
