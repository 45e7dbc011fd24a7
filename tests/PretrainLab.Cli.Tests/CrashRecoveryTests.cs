using System.Diagnostics;
using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Tests;

/// <summary>
/// Kill -9 the lab, its workers, or one worker in the middle of a study: the next lab finds every run accounted for
/// exactly once, resumed from its checkpoint, with a metric series identical to an uninterrupted run's.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    // About 2 s of training per run on an idle core (ten times that on a busy one), with heartbeats every 50 ms:
    // the kills land in the middle of runs however fast the machine is.
    private const int Steps = 600;
    private const int EvalInterval = 200;
    private static readonly string[] StudyRun = ["study", "run", "--slots", "2", "--heartbeat", "0.05", "--poll", "0.05"];

    private readonly StudyFolder _folder = new(steps: Steps, checkpointInterval: 100, evalInterval: EvalInterval, width: StudyFolder.HeavyWidth);

    public CrashRecoveryTests()
    {
        _folder.Write("study.yaml", """
            name: crash
            baseline: tiny.yaml
            seeds: 2
            variants:
              - {label: lr-high, set: [optim.lr=3e-3]}
            """);
        var (code, _, stderr) = _folder.Plab("study", "new", "study.yaml");
        Assert.True(code == 0, stderr);
    }

    public void Dispose() => _folder.Dispose();

    private static bool Checkpointed(RunRecord r) => r.State == RunState.Running && r.CheckpointStep >= 100;

    [Fact]
    public void KillingTheLabAndItsWorkersLosesNoRunAndCountsNoneTwice()
    {
        using (var lab = PlabProcess.Start(_folder.Directory, StudyRun))
        {
            _folder.WaitFor(runs => runs.Count(Checkpointed) >= 1 && runs.Any(r => r.State == RunState.Queued), lab, "a run mid-way with a checkpoint");
            lab.Kill(entireProcessTree: true);
            lab.WaitForExit();
        }
        using (var store = _folder.OpenStore())
            Assert.Contains(store.ListRuns(new RunQuery()), r => r.State == RunState.Running);

        var (code, stdout, stderr) = _folder.Plab(StudyRun);
        Assert.True(code == 0, stderr);
        Assert.Contains("4 finished", stdout);
        Assert.Contains("orphaned: its worker (pid", stderr);

        using var lab2 = _folder.OpenStore();
        var runs = lab2.ListRuns(new RunQuery());
        Assert.Equal(4, runs.Count);
        Assert.Equal(4, runs.Select(r => (r.Label, r.Seed)).Distinct().Count());
        var resumed = runs.Where(r => r.Attempt >= 2).ToList();
        Assert.NotEmpty(resumed);
        Assert.All(resumed, r => Assert.StartsWith("orphaned:", r.Error));
        foreach (var run in runs)
            _folder.AssertIntact(lab2, run, Steps, EvalInterval);
    }

    [Fact]
    public void KillingOnlyTheLabLeavesItsWorkersRunningAndTheNextLabAdoptsThem()
    {
        int[] pids;
        using (var lab = PlabProcess.Start(_folder.Directory, StudyRun))
        {
            _folder.WaitFor(runs => runs.Count(r => r.State == RunState.Running && r.Step > 0) == 2, lab, "two runs training");
            using var store = _folder.OpenStore();
            pids = store.ListRuns(new RunQuery { States = [RunState.Running] }).Select(r => r.WorkerPid!.Value).ToArray();
            lab.Kill(entireProcessTree: false);
            lab.WaitForExit();
        }
        Assert.All(pids, pid => Assert.True(RunLiveness.IsAlive(pid), $"worker {pid} outlives its lab"));

        var (code, stdout, stderr) = _folder.Plab(StudyRun);
        Assert.True(code == 0, stderr);
        Assert.Contains("4 finished", stdout);
        Assert.DoesNotContain("orphaned", stderr);

        using var lab2 = _folder.OpenStore();
        var runs = lab2.ListRuns(new RunQuery());
        // The adopted runs were never started a second time.
        Assert.All(runs, r => Assert.Equal(1, r.Attempt));
        Assert.Equal(4, runs.Count(r => r.State == RunState.Finished));
        foreach (var run in runs.Where(r => pids.Contains(r.WorkerPid ?? 0)))
            _folder.AssertIntact(lab2, run, Steps, EvalInterval);
    }

    [Fact]
    public async Task AKilledWorkerIsResumedFromItsCheckpointWithoutTakingDownTheLab()
    {
        using var lab = PlabProcess.Start(_folder.Directory, [.. StudyRun[..2], "--slots", "1", .. StudyRun[4..]]);
        var stdout = lab.StandardOutput.ReadToEndAsync();
        var stderr = lab.StandardError.ReadToEndAsync();
        _folder.WaitFor(runs => runs.Any(Checkpointed), lab, "a run mid-way with a checkpoint");
        RunRecord victim;
        using (var store = _folder.OpenStore())
            victim = store.ListRuns(new RunQuery { States = [RunState.Running] }).Single();
        using (var worker = Process.GetProcessById(victim.WorkerPid!.Value))
            worker.Kill();

        Assert.True(lab.WaitForExit(TimeSpan.FromMinutes(3)), "the lab finishes the study");
        var log = await stderr;
        Assert.True(lab.ExitCode == 0, log);
        Assert.Contains("4 finished", await stdout);

        using var after = _folder.OpenStore();
        var run = after.GetRun(victim.Id)!;
        Assert.Equal(2, run.Attempt);
        Assert.Contains("was killed by signal 9", run.Error);
        Assert.Contains("resumes from its checkpoint at step", log);
        var runs = after.ListRuns(new RunQuery());
        Assert.Equal(4, runs.Count(r => r.State == RunState.Finished));
        foreach (var r in runs)
            _folder.AssertIntact(after, r, Steps, EvalInterval);
    }

    [Fact]
    public async Task CtrlCStopsTheWorkersAtACheckpointAndTheNextLabResumesThem()
    {
        using (var lab = PlabProcess.Start(_folder.Directory, StudyRun))
        {
            var stdout = lab.StandardOutput.ReadToEndAsync();
            var stderr = lab.StandardError.ReadToEndAsync();
            // A run still queued, so the signal lands well before the study's end: the runs are short enough that a
            // run seen mid-way near the end of the study could finish, and the lab exit 0, before kill delivers it.
            _folder.WaitFor(runs => runs.Count(Checkpointed) >= 1 && runs.Any(r => r.State == RunState.Queued), lab, "a run mid-way with a checkpoint");
            using (var kill = Process.Start("kill", ["-INT", lab.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                kill.WaitForExit();
            Assert.True(lab.WaitForExit(TimeSpan.FromMinutes(2)), "the lab stops after its workers");
            Assert.True(lab.ExitCode == 130, await stderr);
            Assert.True((await stderr).Contains("every worker saved a checkpoint and stopped"), await stderr);
            Assert.Contains("queued", await stdout);
        }
        using (var store = _folder.OpenStore())
        {
            var runs = store.ListRuns(new RunQuery());
            Assert.DoesNotContain(runs, r => r.State.IsActive());
            Assert.Contains(runs, r => r.State == RunState.Queued && r.CheckpointStep > 0 && r.Reason!.StartsWith("interrupted at step"));
        }

        var (code, stdout2, stderr2) = _folder.Plab(StudyRun);
        Assert.True(code == 0, stderr2);
        Assert.Contains("4 finished", stdout2);
        using var after = _folder.OpenStore();
        foreach (var run in after.ListRuns(new RunQuery()))
            _folder.AssertIntact(after, run, Steps, EvalInterval);
    }
}
