namespace PretrainLab.Research.Tools;

/// <summary>A tool's input does not fit its schema or the agenda; the message goes back to the researcher as the result.</summary>
public sealed class ToolInputException(string message) : Exception(message);
