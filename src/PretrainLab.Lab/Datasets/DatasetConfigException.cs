namespace PretrainLab.Lab.Datasets;

/// <summary>
/// A data configuration could not be loaded. Carries every problem found, each one line of the form
/// <c>file:line: field: message</c>; the message is those lines joined by newlines.
/// </summary>
public sealed class DatasetConfigException : Exception
{
    /// <summary>Creates the exception for a non-empty list of problems.</summary>
    public DatasetConfigException(IReadOnlyList<string> errors)
        : base(string.Join('\n', errors))
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        Errors = errors;
    }

    /// <summary>The problems, one line each, in the order found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
