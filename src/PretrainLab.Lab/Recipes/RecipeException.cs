namespace PretrainLab.Lab.Recipes;

/// <summary>
/// A recipe could not be loaded. Carries every problem found, not just the first, so one edit can fix them all;
/// the message is their one-line forms joined by newlines.
/// </summary>
public sealed class RecipeException : Exception
{
    /// <summary>Creates the exception for a non-empty list of problems.</summary>
    public RecipeException(IReadOnlyList<RecipeError> errors)
        : base(string.Join('\n', errors))
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        Errors = errors;
    }

    /// <summary>The problems, in the order they appear in the source.</summary>
    public IReadOnlyList<RecipeError> Errors { get; }
}
