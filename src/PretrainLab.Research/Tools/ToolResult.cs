namespace PretrainLab.Research.Tools;

/// <summary>What a tool call gives back to the researcher: text (JSON or a table), and whether it is an error.</summary>
/// <param name="Text">The result.</param>
/// <param name="IsError">True when the input was refused; the researcher reads why and may try again.</param>
public sealed record ToolResult(string Text, bool IsError = false);
