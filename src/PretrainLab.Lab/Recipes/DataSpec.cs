namespace PretrainLab.Lab.Recipes;

/// <summary>The data a run trains and evaluates on (recipe section <c>data</c>).</summary>
/// <param name="Format">How the data is stored (<c>format</c>).</param>
/// <param name="Path">
/// The training data (<c>path</c>), required: a text file for <see cref="DataFormat.Text"/>, the
/// training shard for <see cref="DataFormat.Shard"/>, the dataset folder for <see cref="DataFormat.Dataset"/>.
/// Absolute once loaded.
/// </param>
/// <param name="ValPath">
/// The validation shard (<c>val_path</c>): required for <see cref="DataFormat.Shard"/>, null for
/// <see cref="DataFormat.Text"/> and <see cref="DataFormat.Dataset"/>. Absolute once loaded.
/// </param>
/// <param name="ValFraction">
/// For text, the fraction at the end of the file held out for validation (<c>val_fraction</c>), in (0, 0.5].
/// </param>
public sealed record DataSpec(DataFormat Format, string Path, string? ValPath, double ValFraction)
{
    /// <summary>Byte-level text with a tenth held out; <see cref="Path"/> is empty and must be set.</summary>
    public static DataSpec Default { get; } = new(DataFormat.Text, Path: "", ValPath: null, ValFraction: 0.1);
}
