namespace PretrainLab.Lab.Recipes;

/// <summary>How a recipe's training data is stored; written in snake_case in recipes.</summary>
public enum DataFormat
{
    /// <summary>A UTF-8 text file read as byte-level tokens and split into train and validation parts.</summary>
    Text,

    /// <summary>llm.c token shards: one for training and a separate one for validation.</summary>
    Shard,

    /// <summary>A dataset folder written by <c>plab data prepare</c>: its train and val shards, with token byte lengths for bits per byte.</summary>
    Dataset,
}
