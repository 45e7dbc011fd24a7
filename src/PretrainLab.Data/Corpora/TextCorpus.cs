namespace PretrainLab.Data.Corpora;

/// <summary>
/// A text file held in memory as raw bytes (byte-level tokens, never decoded, so any bytes are
/// accepted) and split in nanoGPT's convention: the first floor(n * (1 - validationFraction)) bytes
/// train, the rest validate.
/// </summary>
public sealed class TextCorpus
{
    /// <summary>Fewest tokens either split may hold: one input and its next-token target.</summary>
    public const int MinimumSplitTokens = 2;

    private TextCorpus(string path, byte[] bytes, int trainLength)
    {
        Path = path;
        TotalBytes = bytes.Length;
        Train = bytes.AsMemory(0, trainLength);
        Validation = bytes.AsMemory(trainLength);
    }

    /// <summary>Absolute path of the file the corpus was loaded from.</summary>
    public string Path { get; }

    /// <summary>Size of the whole file in bytes: Train.Length + Validation.Length.</summary>
    public long TotalBytes { get; }

    /// <summary>The training split: the file's leading bytes.</summary>
    public ReadOnlyMemory<byte> Train { get; }

    /// <summary>The validation split: the file's remaining, trailing bytes.</summary>
    public ReadOnlyMemory<byte> Validation { get; }

    /// <summary>Reads <paramref name="path"/> and splits it; the same file and fraction always give the same split.</summary>
    /// <param name="path">The text file.</param>
    /// <param name="validationFraction">Share of the bytes for validation, strictly between 0 and 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in (0, 1).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist; the message names the path.</exception>
    /// <exception cref="InvalidDataException">The file is empty, too large for one array, or either split
    /// would hold fewer than <see cref="MinimumSplitTokens"/> bytes; the message names the path and sizes.</exception>
    public static TextCorpus Load(string path, double validationFraction = 0.1)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be strictly between 0 and 1.");

        string fullPath = System.IO.Path.GetFullPath(path);
        var file = new FileInfo(fullPath);
        if (!file.Exists)
            throw new FileNotFoundException($"Text corpus '{fullPath}' does not exist.", fullPath);
        if (file.Length == 0)
            throw new InvalidDataException($"Text corpus '{fullPath}' is empty.");
        if (file.Length > Array.MaxLength)
            throw new InvalidDataException($"Text corpus '{fullPath}' is {file.Length} bytes, more than one array holds ({Array.MaxLength}); shard it into token files instead.");

        byte[] bytes = File.ReadAllBytes(fullPath);
        // Same arithmetic as nanoGPT's int(n * 0.9), so splits agree byte for byte.
        int trainLength = (int)Math.Floor(bytes.Length * (1 - validationFraction));
        int validationLength = bytes.Length - trainLength;
        if (trainLength < MinimumSplitTokens || validationLength < MinimumSplitTokens)
            throw new InvalidDataException(
                $"Text corpus '{fullPath}' has {bytes.Length} bytes; a validation fraction of {validationFraction} splits it into {trainLength} train and {validationLength} validation bytes, but each split needs at least {MinimumSplitTokens}.");
        return new TextCorpus(fullPath, bytes, trainLength);
    }
}
