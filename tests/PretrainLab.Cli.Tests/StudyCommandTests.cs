using System.Text.Json;
using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Tests;

public sealed class StudyCommandTests : IDisposable
{
    private readonly StudyFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void AStudyTrainsEveryVariantOverSeedsAndReportsEffectsWithIntervals()
    {
        _folder.Write("study.yaml", """
            name: ablate
            baseline: tiny.yaml
            seeds: 2
            test_data: test.txt
            variants:
              - {label: lr-high, set: [optim.lr=3e-3]}
              - {label: relu2, set: {model.activation: relu2}}
            """);
        var (code, stdout, stderr) = _folder.Plab("study", "new", "study.yaml");
        Assert.True(code == 0, stderr);
        Assert.Contains("3 variants x 2 seeds = 6 runs", stdout);

        (code, stdout, stderr) = _folder.Plab("study", "run", "--slots", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains("6 finished", stdout);
        Assert.Contains("started run 6", stderr);

        var runs = JsonDocument.Parse(_folder.Plab("runs", "list", "--json").StdOut).RootElement;
        Assert.Equal(6, runs.GetArrayLength());
        Assert.All(runs.EnumerateArray(), r =>
        {
            Assert.Equal("finished", r.GetProperty("state").GetString());
            Assert.Equal(40, r.GetProperty("step").GetInt64());
            Assert.True(r.GetProperty("test_bpb").GetDouble() > 0, "each finished run is evaluated on the test split");
        });

        (code, stdout, stderr) = _folder.Plab("study", "report", "--json");
        Assert.True(code == 0, stderr);
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(2, report.GetProperty("noise_floor").GetProperty("seeds").GetInt32());
        Assert.True(report.GetProperty("noise_floor").GetProperty("sigma").GetDouble() > 0);
        var board = report.GetProperty("leaderboard").EnumerateArray().ToList();
        Assert.Equal(["baseline", "lr-high", "relu2"], board.Select(e => e.GetProperty("label").GetString()).Order());
        foreach (var entry in board.Where(e => e.GetProperty("label").GetString() != "baseline"))
        {
            var effect = entry.GetProperty("effect");
            Assert.True(effect.GetProperty("paired").GetBoolean());
            Assert.True(effect.GetProperty("ci_low").GetDouble() <= effect.GetProperty("difference").GetDouble());
            Assert.Contains(effect.GetProperty("verdict").GetString(), new[] { "better", "worse", "within noise" });
        }
        Assert.Equal(2, report.GetProperty("test_effects").GetArrayLength());
        Assert.Contains(report.GetProperty("importance").EnumerateArray(), k => k.GetProperty("knob").GetString() == "optim.lr");
        Assert.Equal(6, report.GetProperty("compute_curve").GetArrayLength());

        (code, stdout, _) = _folder.Plab("study", "report");
        Assert.Equal(0, code);
        foreach (var heading in new[] { "## Noise floor", "## Leaderboard (val_bpb)", "## Test split (test_bpb; reported only", "## Which knobs matter", "## Best so far against compute" })
            Assert.Contains(heading, stdout);

        (code, stdout, stderr) = _folder.Plab("runs", "compare", "baseline", "lr-high", "--json");
        Assert.True(code == 0, stderr);
        var compare = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("lr-high", compare.GetProperty("validation").GetProperty("variant").GetString());
        Assert.Equal("test_bpb", compare.GetProperty("test").GetProperty("metric").GetString());
        (code, stdout, _) = _folder.Plab("runs", "compare", "1", "3");
        Assert.Equal(0, code);
        Assert.Contains("verdict:", stdout);
        Assert.Contains("noise floor: σ", stdout);

        (code, stdout, _) = _folder.Plab("study", "status");
        Assert.Equal(0, code);
        Assert.Contains("runs: 6 finished", stdout);
        (code, stdout, _) = _folder.Plab("runs", "show", "2");
        Assert.Equal(0, code);
        Assert.Contains("series     40 steps, 4 evaluations", stdout);
    }

    [Fact]
    public void AGridBecomesOneVariantPerCombination()
    {
        _folder.Write("grid.yaml", """
            name: grid
            baseline: tiny.yaml
            seeds: [5]
            budget: {steps: 4}
            grid:
              optim.lr: [1e-3, 2e-3]
              model.mlp_ratio: [2, 4]
            """);
        var (code, stdout, stderr) = _folder.Plab("study", "new", "grid.yaml", "--json");
        Assert.True(code == 0, stderr);
        // The grid point lr 1e-3 with mlp_ratio 4 trains the baseline's own recipe, which the study already has.
        var created = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(4, created.GetProperty("variants").GetInt32());
        Assert.Equal(4, created.GetProperty("runs").GetInt32());
    }

    [Fact]
    public void StudyFileErrorsNameTheKeyAndLine()
    {
        _folder.Write("bad.yaml", """
            name: bad
            baseline: tiny.yaml
            seed: 3
            variants:
              - {label: x, set: [optim.lr=-1]}
            """);
        var (code, stdout, stderr) = _folder.Plab("study", "new", "bad.yaml");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("bad.yaml:3: seed: unknown key; did you mean 'seeds'?", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(File.Exists(_folder.StorePath), "nothing is stored for an invalid study");
    }

    [Fact]
    public void AVariantWithAnInvalidRecipeIsNamed()
    {
        _folder.Write("bad.yaml", """
            baseline: tiny.yaml
            seeds: 1
            variants:
              - {label: negative-lr, set: [optim.lr=-1]}
            """);
        var (code, _, stderr) = _folder.Plab("study", "new", "bad.yaml");
        Assert.Equal(2, code);
        Assert.Contains("variant 'negative-lr'", stderr);
        Assert.Contains("optim.lr: must be > 0, got -1", stderr);
    }

    [Fact]
    public void AStoreFileThatIsNotAStoreIsAClearError()
    {
        File.WriteAllText(_folder.StorePath, "this is not a database, it is a shopping list\n" + new string('-', 4000));
        var (code, stdout, stderr) = _folder.Plab("runs", "list");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"error: {_folder.StorePath} is not a plab store: the file is not an SQLite database", stderr.Trim());
    }

    [Fact]
    public void APostgresServerThatIsDownIsAClearError()
    {
        var (code, _, stderr) = _folder.Plab("study", "status", "--store", "postgres://plab:hunter2@127.0.0.1:9/plab");
        Assert.Equal(1, code);
        Assert.StartsWith("error: cannot connect to PostgreSQL at postgres://plab@127.0.0.1:9/plab", stderr);
        Assert.DoesNotContain("hunter2", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void CommandsWithoutAStudySayHowToMakeOne()
    {
        var (code, _, stderr) = _folder.Plab("study", "run");
        Assert.Equal(2, code);
        Assert.Contains("no study in", stderr);
        Assert.Contains("plab study new FILE", stderr);
    }
}
