using System.Runtime.CompilerServices;
using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Tests.Runs;

/// <summary>A temporary folder with the first 40 kB of tinyshakespeare and a tiny recipe over it.</summary>
public sealed class RunFixture : IDisposable
{
    public const string TinyRecipe = """
        name: tiny
        seed: 7
        model: {n_layer: 2, n_head: 2, n_embd: 32, block_size: 16, vocab_size: 256}
        optim: {lr: 3.0e-3, beta1: 0.9, beta2: 0.99}
        schedule: {kind: cosine, warmup_steps: 4, min_lr_ratio: 0.1}
        data: {format: text, path: corpus.txt, val_fraction: 0.1}
        train: {batch_size: 4, checkpoint_interval: 10}
        budget: {steps: 20}
        eval: {interval: 10, tokens: 1024}
        """;

    public RunFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("plab-runs-").FullName;
        var bytes = File.ReadAllBytes(SamplePath("tinyshakespeare.txt"));
        Corpus = Path.Combine(Directory, "corpus.txt");
        File.WriteAllBytes(Corpus, bytes[..40_000]);
    }

    public string Directory { get; }

    public string Corpus { get; }

    public Recipe Recipe(params string[] overrides) => RecipeLoader.Parse(TinyRecipe, Directory, overrides, "tiny.yaml");

    public string RunDir(string name) => Path.Combine(Directory, name);

    public static string SamplePath(string file, [CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "samples", "data", file));

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
