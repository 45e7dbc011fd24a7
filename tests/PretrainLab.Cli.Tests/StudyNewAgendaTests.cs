using System.Text.Json;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Studies;

namespace PretrainLab.Cli.Tests;

/// <summary><c>plab study new --agenda</c>: a research study registered from its agenda, then driven by the other commands.</summary>
public sealed class StudyNewAgendaTests : IDisposable
{
    private const string Agenda = """
        ---
        name: registered
        baseline: tiny.yaml
        per_run: {steps: 40}
        budget: {runs: 4}
        seeds: {noise: 2, experiment: 1, confirm: 1}
        knobs:
          optim.lr: {type: log_float, min: 3e-4, max: 3e-2}
          model.activation: [gelu, relu2]
        ---
        Learning rate first.
        """;

    private readonly StudyFolder _folder = new();

    public StudyNewAgendaTests() => _folder.Write("agenda.md", Agenda);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void CreatesTheResearchStudyWithItsBaselineQueuedAndResearchContinuesIt()
    {
        var (code, stdout, stderr) = _folder.Plab("study", "new", "--agenda", "agenda.md", "--json");

        Assert.True(code == 0, stderr);
        var created = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("registered", created.GetProperty("study").GetString());
        Assert.Equal(2, created.GetProperty("runs").GetInt32());
        Assert.Equal([1, 2], created.GetProperty("seeds").EnumerateArray().Select(s => s.GetInt32()));
        using (var store = _folder.OpenStore())
        {
            var study = store.FindStudy("registered")!;
            Assert.NotNull(ResearchStudy.StoredAgenda(study));
            var runs = store.ListRuns(new RunQuery { StudyId = study.Id });
            Assert.Equal(2, runs.Count);
            Assert.All(runs, r => Assert.Equal((ResearchStudy.BaselineLabel, RunState.Queued), (r.Label, r.State)));
            Assert.Equal(Path.Combine(_folder.Directory, "runs", "registered"), study.RunsDirectory);
        }

        // A second registration is refused by name; the study is left as it was.
        (code, _, stderr) = _folder.Plab("study", "new", "--agenda", "agenda.md");
        Assert.Equal(1, code);
        Assert.Contains("a study named 'registered' already exists", stderr);

        // The lab sees an ordinary study, and the research loop picks it up where it stands.
        (code, stdout, stderr) = _folder.Plab("study", "status", "registered");
        Assert.True(code == 0, stderr);
        Assert.Contains("runs: 2 queued", stdout);
        (code, stdout, stderr) = _folder.Plab("research", "agenda.md", "--researcher", "random", "--slots", "2", "--poll", "0.05", "--heartbeat", "0.1", "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(4, JsonDocument.Parse(stdout).RootElement.GetProperty("runs").GetProperty("finished").GetInt32());
        using (var store = _folder.OpenStore())
        {
            Assert.Single(store.ListStudies());
            var runs = store.ListRuns(new RunQuery());
            Assert.Equal(4, runs.Count);
            Assert.Equal(2, runs.Count(r => r.Label == ResearchStudy.BaselineLabel));
        }
    }

    [Fact]
    public void ABadAgendaIsRefusedNamingItsFileAndLineAndNothingIsCreated()
    {
        _folder.Write("bad.md", Agenda.Replace("min: 3e-4, max: 3e-2", "min: 3e-2, max: 3e-4").Replace("[gelu, relu2]", "[gelu, swish]"));

        var (code, stdout, stderr) = _folder.Plab("study", "new", "--agenda", "bad.md");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(errors, e => e.StartsWith("error: bad.md:8: ", StringComparison.Ordinal) && e.Contains("optim.lr", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("error: bad.md:9: ", StringComparison.Ordinal) && e.Contains("swish", StringComparison.Ordinal));
        Assert.False(File.Exists(_folder.StorePath), "no store is created for an agenda that does not load");
    }

    [Fact]
    public void TakesAStudyFileOrAnAgendaNotBothNorNeither()
    {
        _folder.Write("study.yaml", "name: plain\nbaseline: tiny.yaml\nseeds: 1\n");

        var both = _folder.Plab("study", "new", "study.yaml", "--agenda", "agenda.md");
        var neither = _folder.Plab("study", "new");

        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give a study file or --agenda AGENDA", both.StdErr);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("give a study file or --agenda AGENDA", neither.StdErr);
        Assert.False(File.Exists(_folder.StorePath));
    }
}
