using PretrainLab.Data.Cleaning;

namespace PretrainLab.Lab.Datasets;

/// <summary>
/// What <c>plab data prepare</c> builds: a dataset from one or more sources, cleaned, split, tokenized,
/// mixed by weight and written as shards. Load one with <see cref="DatasetConfigLoader"/>.
/// </summary>
/// <param name="Name">The dataset's name (<c>name</c>).</param>
/// <param name="Seed">Seed of splitting, near-duplicate hashing and mixing (<c>seed</c>).</param>
/// <param name="Output">The dataset folder (<c>output</c>, relative to the configuration file), or null for <c>datasets/NAME</c>.</param>
/// <param name="Sources">The corpora (<c>sources</c>).</param>
/// <param name="ExactDedup">Whether exact duplicates are removed (<c>cleaning.exact_dedup.enabled</c>).</param>
/// <param name="Quality">The quality rules, or null when the filter is off (<c>cleaning.quality_filter</c>).</param>
/// <param name="NearDedup">Near-duplicate detection, or null when off (<c>cleaning.near_dedup</c>).</param>
/// <param name="ValFraction">Expected share of documents in validation (<c>splits.val</c>).</param>
/// <param name="TestFraction">Expected share of documents in test (<c>splits.test</c>).</param>
/// <param name="Tokenizer">The tokenizer (<c>tokenizer</c>).</param>
/// <param name="TrainTokens">Training tokens to draw from the mixture, or null for as many as the weights allow without repeating (<c>mixture.train_tokens</c>).</param>
/// <param name="ShardTokens">Most tokens per shard (<c>shards.tokens</c>).</param>
/// <param name="ConfigPath">The configuration file, absolute.</param>
public sealed record DatasetConfig(
    string Name,
    long Seed,
    string? Output,
    IReadOnlyList<SourceConfig> Sources,
    bool ExactDedup,
    QualityFilterOptions? Quality,
    NearDedupConfig? NearDedup,
    double ValFraction,
    double TestFraction,
    TokenizerConfig Tokenizer,
    long? TrainTokens,
    long ShardTokens,
    string ConfigPath);
