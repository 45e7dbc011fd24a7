using System.Diagnostics;
using System.Text.Json;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Runs;
using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Tests;

/// <summary>
/// A temporary working folder for studies: a small corpus, a test file, a tiny recipe (1 layer, 16 wide, context 8,
/// batch 4 unless told) and the store <c>plab.db</c> that plab creates there.
/// </summary>
public sealed class StudyFolder : IDisposable
{
    /// <summary>Tests that must catch runs in the middle use this width and batch: 8 times the work per step.</summary>
    public const int HeavyWidth = 32;

    public StudyFolder(int steps = 40, int checkpointInterval = 10, int evalInterval = 10, int width = 16)
    {
        var batch = width == HeavyWidth ? 8 : 4;
        Directory = System.IO.Directory.CreateTempSubdirectory("plab-study-").FullName;
        var text = string.Concat(Enumerable.Range(0, 400).Select(i => $"Line {i}: to be, or not to be, that is the question {i % 7}.\n"));
        File.WriteAllText(Path.Combine(Directory, "corpus.txt"), text);
        File.WriteAllText(Path.Combine(Directory, "test.txt"), string.Concat(Enumerable.Range(0, 20).Select(i => $"Whether 'tis nobler in the mind {i}.\n")));
        File.WriteAllText(Path.Combine(Directory, "tiny.yaml"), $"""
            name: tiny
            seed: 1
            model: {"{"}n_layer: 1, n_head: 2, n_embd: {width}, block_size: 8, vocab_size: 256{"}"}
            data: {"{"}format: text, path: corpus.txt{"}"}
            train: {"{"}batch_size: {batch}, checkpoint_interval: {checkpointInterval}, threads: 1{"}"}
            budget: {"{"}steps: {steps}{"}"}
            eval: {"{"}interval: {evalInterval}, tokens: 256{"}"}
            """);
    }

    public string Directory { get; }

    public string StorePath => Path.Combine(Directory, LabStore.DefaultFileName);

    public void Write(string name, string text) => File.WriteAllText(Path.Combine(Directory, name), text);

    public (int ExitCode, string StdOut, string StdErr) Plab(params string[] args) => PlabProcess.Run(Directory, args);

    public ILabStore OpenStore() => LabStore.Open(StorePath);

    /// <summary>Polls the store until <paramref name="condition"/> holds for the study's runs.</summary>
    public void WaitFor(Func<IReadOnlyList<RunRecord>, bool> condition, Process? lab, string what, int seconds = 90)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            if (File.Exists(StorePath))
            {
                using var store = OpenStore();
                if (condition(store.ListRuns(new RunQuery())))
                    return;
            }
            if (lab is { HasExited: true })
                throw new InvalidOperationException($"the lab exited (code {lab.ExitCode}) before {what}: {lab.StandardError.ReadToEnd()}");
            Thread.Sleep(50);
        }
        throw new TimeoutException($"waited {seconds} s for {what}");
    }

    /// <summary>
    /// Asserts that <paramref name="run"/> finished with one metric row per step 1..steps and its evaluations, and that
    /// its training losses are bit-identical to an uninterrupted run of the same recipe.
    /// </summary>
    public void AssertIntact(ILabStore store, RunRecord run, long steps, long evalInterval)
    {
        Assert.Equal(RunState.Finished, run.State);
        var series = store.GetMetrics(run.Id);
        Assert.Equal(Enumerable.Range(1, (int)steps).Select(i => (long)i), series.Select(p => p.Step));
        Assert.All(series, p => Assert.NotNull(p.TrainLoss));
        Assert.Equal(
            Enumerable.Range(1, (int)(steps / evalInterval)).Select(i => i * evalInterval),
            series.Where(p => p.ValLoss is not null).Select(p => p.Step));

        var straightDir = Path.Combine(Directory, $"straight-{run.Id}");
        var recipe = Recipe.FromJson(store.GetRun(run.Id)!.Recipe!);
        var straight = TrainingRun.Train(recipe, straightDir);
        var losses = File.ReadLines(Path.Combine(straightDir, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "step")
            .Select(e => e.GetProperty("loss").GetDouble())
            .ToList();
        Assert.Equal(losses, series.Select(p => p.TrainLoss!.Value));
        Assert.Equal(straight.ValLoss, run.ValLoss);
    }

    public void Dispose()
    {
        // Workers of a killed lab may still be finishing; give them a moment to let go of the folder.
        for (var i = 0; ; i++)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
                return;
            }
            catch (IOException) when (i < 20)
            {
                Thread.Sleep(250);
            }
        }
    }
}
