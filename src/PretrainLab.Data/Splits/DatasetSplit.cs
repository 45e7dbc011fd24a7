namespace PretrainLab.Data.Splits;

/// <summary>The part of a dataset a document belongs to.</summary>
public enum DatasetSplit
{
    /// <summary>Training data.</summary>
    Train,

    /// <summary>Validation data: what runs evaluate on and decisions use.</summary>
    Val,

    /// <summary>Held-out test data, only for reports.</summary>
    Test,
}
