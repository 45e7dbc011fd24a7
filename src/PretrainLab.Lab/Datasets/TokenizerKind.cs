namespace PretrainLab.Lab.Datasets;

/// <summary>Where a dataset's tokenizer comes from (<c>tokenizer.kind</c>).</summary>
public enum TokenizerKind
{
    /// <summary>Byte-level: ids 0-255 are the bytes, the end-of-text token is 256.</summary>
    Byte,

    /// <summary>A tiktoken rank file (<c>tokenizer.path</c>) with a split pattern.</summary>
    Tiktoken,

    /// <summary>A tokenizer folder written by <c>plab tokenizer train</c> (<c>tokenizer.path</c>).</summary>
    Directory,

    /// <summary>Byte-level BPE trained on the training split of the cleaned documents.</summary>
    Train,
}
