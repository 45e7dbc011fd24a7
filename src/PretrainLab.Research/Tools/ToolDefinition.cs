using System.Text.Json;

namespace PretrainLab.Research.Tools;

/// <summary>A tool as a model or an MCP client sees it: its name, what it does and the JSON schema of its input.</summary>
/// <param name="Name">The tool's name, e.g. <c>propose_experiments</c>.</param>
/// <param name="Description">What it does and when to use it.</param>
/// <param name="InputSchema">The JSON schema of its input object.</param>
public sealed record ToolDefinition(string Name, string Description, JsonElement InputSchema);
