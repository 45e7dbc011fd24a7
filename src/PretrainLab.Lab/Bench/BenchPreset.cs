using PretrainLab.Engine.Model;

namespace PretrainLab.Lab.Bench;

/// <summary>A model shape and batch that <c>plab bench</c> times, with its default number of timed steps.</summary>
/// <param name="Name">The name given to <c>--preset</c>.</param>
/// <param name="Config">The model.</param>
/// <param name="BatchSize">Sequences per step.</param>
/// <param name="DefaultSteps">Timed steps when <c>--steps</c> is not given (fewer for bigger models).</param>
public sealed record BenchPreset(string Name, GptConfig Config, int BatchSize, int DefaultSteps)
{
    /// <summary>nanoGPT's CPU Shakespeare model: 4 layers, 4 heads, 128 dim, context 64, batch 12, bytes.</summary>
    public static BenchPreset Tiny { get; } = new("tiny", new GptConfig(4, 4, 128, 64, 256), 12, 100);

    /// <summary>nanoGPT's "baby GPT": 6 layers, 6 heads, 384 dim, context 256, batch 8, bytes.</summary>
    public static BenchPreset Baby { get; } = new("baby", new GptConfig(6, 6, 384, 256, 256), 8, 5);

    /// <summary>GPT-2 small (124M) at context 256, batch 4, with nanoGPT's padded vocabulary of 50304.</summary>
    public static BenchPreset Gpt2Small { get; } = new("gpt2s", new GptConfig(12, 12, 768, 256, 50304), 4, 3);

    /// <summary>Every preset, smallest first.</summary>
    public static IReadOnlyList<BenchPreset> All { get; } = [Tiny, Baby, Gpt2Small];

    /// <summary>The preset called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static BenchPreset? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
