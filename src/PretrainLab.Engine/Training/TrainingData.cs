namespace PretrainLab.Engine.Training;

/// <summary>
/// What a run trains and evaluates on: a training and a validation sequence, and optionally the
/// UTF-8 byte length of every token id (for bits per byte; special tokens count 0).
/// </summary>
/// <param name="Train">Training tokens; batches are drawn at random offsets.</param>
/// <param name="Validation">Validation tokens; evaluated in consecutive windows.</param>
/// <param name="TokenBytes">Bytes per token id, or null when unknown (then bits per byte is not reported).</param>
public sealed record TrainingData(ITokenSequence Train, ITokenSequence Validation, int[]? TokenBytes)
{
    /// <summary>Byte-level data: every token is one byte.</summary>
    public static int[] ByteLevelTokenBytes()
    {
        var bytes = new int[256];
        Array.Fill(bytes, 1);
        return bytes;
    }
}
