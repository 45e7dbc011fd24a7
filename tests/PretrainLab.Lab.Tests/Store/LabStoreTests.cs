using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Tests.Store;

public sealed class LabStoreTests
{
    private static Recipe Recipe(int seed = 1, string lr = "1e-3") => RecipeLoader.Parse(
        $"seed: {seed}\nmodel: {{n_layer: 1, n_head: 2, n_embd: 16, block_size: 8}}\noptim: {{lr: {lr}}}\ndata: {{path: corpus.txt}}\nbudget: {{steps: 10}}",
        "/data", checkFiles: false);

    private static (ILabStore Store, StudyRecord Study) WithStudy(TestStore t, string name = "s")
    {
        var store = t.Open();
        return (store, store.CreateStudy(new NewStudy(name, "val_bpb", "{}", "/runs")));
    }

    private static NewRun Run(string label, int seed, string lr = "1e-3") =>
        new(label, Recipe(seed, lr), label == "baseline" ? new Dictionary<string, string>() : new() { ["optim.lr"] = lr }, $"/runs/{label}-{seed}");

    /// <summary>Takes a queued run through the lab's and the worker's side, as a worker process would.</summary>
    private static long StartRunning(ILabStore store, RunRecord run)
    {
        var attempt = store.BeginAttempt(run.Id, run.Attempt, threads: 1, "host")!.Value;
        Assert.True(store.ClaimAttempt(run.Id, attempt, pid: 1234, "host"));
        return attempt;
    }

    [Theory, SqliteStore, PostgresStore]
    public void FreshStoreIsAtTheLatestSchemaAndReopensWithItsData(StoreKind kind)
    {
        using var t = new TestStore(kind);
        using (var store = t.Open())
        {
            Assert.Equal(SchemaMigrations.Latest, store.SchemaVersion);
            store.CreateStudy(new NewStudy("first", "val_loss", """{"seeds":[1]}""", "/runs"));
        }
        using var reopened = t.Open();
        Assert.Equal(SchemaMigrations.Latest, reopened.SchemaVersion);
        var study = Assert.Single(reopened.ListStudies());
        Assert.Equal(("first", "val_loss", """{"seeds":[1]}"""), (study.Name, study.Objective, study.Definition));
        Assert.Equal(study, reopened.FindStudy("first"));
        Assert.Equal(study, reopened.GetStudy(study.Id));
        Assert.Null(reopened.FindStudy("second"));
    }

    [Theory, SqliteStore, PostgresStore]
    public void StudyNamesAreUnique(StoreKind kind)
    {
        using var t = new TestStore(kind);
        var (store, _) = WithStudy(t, "dup");
        using (store)
        {
            var e = Assert.Throws<StoreException>(() => store.CreateStudy(new NewStudy("dup", "val_bpb", "{}", "/runs")));
            Assert.Contains("'dup' already exists", e.Message);
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public void RunsAreAddedQueuedAndListedByStudyStateLabelAndMetric(StoreKind kind)
    {
        using var t = new TestStore(kind);
        var (store, study) = WithStudy(t);
        using (store)
        {
            var other = store.CreateStudy(new NewStudy("other", "val_bpb", "{}", "/runs"));
            var added = store.AddRuns(study.Id, [Run("baseline", 1), Run("baseline", 2), Run("lr", 1, "3e-3"), Run("lr", 2, "3e-3")]);
            store.AddRuns(other.Id, [Run("baseline", 1)]);
            Assert.All(added, r => Assert.Equal(RunState.Queued, r.State));
            Assert.Equal(added[0].ConfigHash, added[1].ConfigHash);
            Assert.NotEqual(added[0].RecipeHash, added[1].RecipeHash);
            Assert.NotEqual(added[0].ConfigHash, added[2].ConfigHash);

            var stored = store.GetRun(added[2].Id)!;
            Assert.Equal(("lr", 1L, "3e-3"), (stored.Label, stored.Seed, stored.Knobs["optim.lr"]));
            Assert.Equal(0.003, Lab.Recipes.Recipe.FromJson(stored.Recipe!).Optim.Lr);

            Assert.Equal(4, store.ListRuns(new RunQuery { StudyId = study.Id }).Count);
            Assert.Equal(5, store.ListRuns(new RunQuery()).Count);
            Assert.Equal(2, store.ListRuns(new RunQuery { StudyId = study.Id, Label = "lr" }).Count);
            Assert.Equal(2, store.ListRuns(new RunQuery { StudyId = study.Id, ConfigHash = added[0].ConfigHash }).Count);
            Assert.Empty(store.ListRuns(new RunQuery { StudyId = study.Id, States = [RunState.Running, RunState.Finished] }));
            Assert.All(store.ListRuns(new RunQuery { StudyId = study.Id }), r => Assert.Null(r.Recipe));

            // Metric order: lowest first, runs without the metric last.
            foreach (var (run, bpb) in added.Zip([2.5, 2.0, 3.0]))
            {
                var attempt = StartRunning(store, run);
                Assert.True(store.CompleteAttempt(run.Id, attempt, new RunOutcome { State = RunState.Finished, Step = 10, ValBpb = bpb }));
            }
            var ordered = store.ListRuns(new RunQuery { StudyId = study.Id, OrderByMetric = "val_bpb" });
            Assert.Equal([added[1].Id, added[0].Id, added[2].Id, added[3].Id], ordered.Select(r => r.Id));
            Assert.Equal([added[1].Id], store.ListRuns(new RunQuery { StudyId = study.Id, OrderByMetric = "val_bpb", Limit = 1 }).Select(r => r.Id));
            Assert.Equal(3, store.ListRuns(new RunQuery { StudyId = study.Id, States = [RunState.Finished] }).Count);
            Assert.Throws<ArgumentException>(() => store.ListRuns(new RunQuery { OrderByMetric = "id; DROP TABLE runs" }));
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public void AttemptsAreFencedSoASupersededWorkerWritesNothing(StoreKind kind)
    {
        using var t = new TestStore(kind);
        var (store, study) = WithStudy(t);
        using (store)
        {
            var run = store.AddRuns(study.Id, [Run("baseline", 1)])[0];
            var first = store.BeginAttempt(run.Id, 0, 2, "host");
            Assert.Equal(1, first);
            Assert.Null(store.BeginAttempt(run.Id, 0, 2, "host"));
            Assert.True(store.SetWorkerPid(run.Id, 1, 4321));
            Assert.Equal((RunState.Starting, 4321, 2), (store.GetRun(run.Id)!.State, store.GetRun(run.Id)!.WorkerPid, store.GetRun(run.Id)!.Threads));
            Assert.True(store.ClaimAttempt(run.Id, 1, 4321, "host"));
            Assert.False(store.ClaimAttempt(run.Id, 1, 4321, "host"));
            Assert.Equal(new HeartbeatReply(true, null), store.Heartbeat(run.Id, 1, step: 3, totalSteps: 10));
            Assert.True(store.AppendMetrics(run.Id, 1, [new MetricPoint(1, TrainLoss: 5.0)]));

            // The lab decides the worker is gone and requeues; the old worker's writes are refused from now on.
            Assert.True(store.Requeue(run.Id, 1, "worker vanished"));
            Assert.False(store.Requeue(run.Id, 1, "twice"));
            Assert.Equal(new HeartbeatReply(false, null), store.Heartbeat(run.Id, 1, 4, 10));
            Assert.False(store.AppendMetrics(run.Id, 1, [new MetricPoint(2, TrainLoss: 4.0)]));
            Assert.False(store.RecordCheckpoint(run.Id, 1, "/ckpt", 4));
            Assert.False(store.CompleteAttempt(run.Id, 1, new RunOutcome { State = RunState.Finished, Step = 10 }));

            var requeued = store.GetRun(run.Id)!;
            Assert.Equal((RunState.Queued, 1L, "worker vanished"), (requeued.State, requeued.Attempt, requeued.Error));
            var second = StartRunning(store, requeued);
            Assert.Equal(2, second);
            Assert.True(store.RecordCheckpoint(run.Id, second, "/ckpt", 5));
            Assert.True(store.RequestStop(run.Id, "interrupt"));
            Assert.Equal(new HeartbeatReply(true, "interrupt"), store.Heartbeat(run.Id, second, 6, 10));
            Assert.True(store.CompleteAttempt(run.Id, second, new RunOutcome { State = RunState.Finished, Step = 10, ValLoss = 1.5, WallSeconds = 2 }));
            var done = store.GetRun(run.Id)!;
            Assert.Equal((RunState.Finished, 10L, 1.5, 5L, "/ckpt"), (done.State, done.Step, done.ValLoss!.Value, done.CheckpointStep!.Value, done.CheckpointPath));
            Assert.Null(done.StopRequest);
            Assert.Equal("worker vanished", done.Error);
            Assert.NotNull(done.FinishedAt);
            Assert.Equal([1L], store.GetMetrics(run.Id).Select(p => p.Step));
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public void MetricRowsMergeStepAndEvaluationAndTruncateForAResume(StoreKind kind)
    {
        using var t = new TestStore(kind);
        var (store, study) = WithStudy(t);
        using (store)
        {
            var run = store.AddRuns(study.Id, [Run("baseline", 1)])[0];
            var attempt = StartRunning(store, run);
            var steps = Enumerable.Range(1, 1000).Select(i => new MetricPoint(i, Tokens: i * 64, TrainLoss: 5.0 - i * 1e-3, TokensPerSecond: 1000)).ToList();
            // An evaluation in the same batch as its step, and one arriving later.
            steps.Add(new MetricPoint(500, Tokens: 500 * 64, ValLoss: 4.2, ValBpb: 6.06));
            Assert.True(store.AppendMetrics(run.Id, attempt, steps));
            Assert.True(store.AppendMetrics(run.Id, attempt, [new MetricPoint(1000, ValLoss: 4.0, ValBpb: double.NaN)]));

            var series = store.GetMetrics(run.Id);
            Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), series.Select(p => p.Step));
            Assert.Equal(new MetricPoint(500, 500 * 64, 4.5, 4.2, 6.06, 1000), series[499]);
            Assert.Equal((4.0, (double?)null, 4.0), (series[999].ValLoss!.Value, series[999].ValBpb, series[999].TrainLoss!.Value));
            Assert.Equal(2, series.Count(p => p.ValLoss is not null));

            Assert.True(store.TruncateMetrics(run.Id, attempt, 300));
            Assert.Equal(300, store.GetMetrics(run.Id).Count);
            Assert.True(store.AppendMetrics(run.Id, attempt, [new MetricPoint(301, TrainLoss: 1.0)]));
            Assert.Equal(1.0, store.GetMetrics(run.Id)[^1].TrainLoss);
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public void PausedRunsArePromotedOrPrunedAndWallTimeAddsUp(StoreKind kind)
    {
        using var t = new TestStore(kind);
        var (store, study) = WithStudy(t);
        using (store)
        {
            var runs = store.AddRuns(study.Id, [Run("a", 1) with { TargetStep = 5 }, Run("b", 1, "3e-3") with { TargetStep = 5 }]);
            foreach (var run in runs)
            {
                var attempt = StartRunning(store, run);
                Assert.True(store.CompleteAttempt(run.Id, attempt, new RunOutcome { State = RunState.Paused, Step = 5, ValLoss = 3, WallSeconds = 1.5 }));
            }
            Assert.False(store.Prune(runs[0].Id, "x") && store.Promote(runs[0].Id, 1, null));
            Assert.True(store.Promote(runs[1].Id, 1, 10));
            var promoted = store.GetRun(runs[1].Id)!;
            Assert.Equal((RunState.Queued, 1L, 10L), (promoted.State, promoted.Rung, promoted.TargetStep!.Value));
            Assert.Null(promoted.FinishedAt);
            var attempt2 = StartRunning(store, promoted);
            Assert.True(store.CompleteAttempt(runs[1].Id, attempt2, new RunOutcome { State = RunState.Finished, Step = 10, WallSeconds = 2.0 }));
            Assert.Equal(3.5, store.GetRun(runs[1].Id)!.WallSeconds);
            var pruned = store.GetRun(runs[0].Id)!;
            Assert.Equal((RunState.Pruned, "x", 3.0), (pruned.State, pruned.Reason, pruned.ValLoss!.Value));
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public void JournalKeepsEntriesInOrder(StoreKind kind)
    {
        using var t = new TestStore(kind);
        var (store, study) = WithStudy(t);
        using (store)
        {
            var run = store.AddRuns(study.Id, [Run("baseline", 1)])[0];
            store.AddJournalEntry(study.Id, null, "note", "first");
            store.AddJournalEntry(study.Id, run.Id, "event", "second");
            var journal = store.GetJournal(study.Id);
            Assert.Equal(["first", "second"], journal.Select(e => e.Text));
            Assert.Equal((long?)run.Id, journal[1].RunId);
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public void OnlyOneOfTwoLabsRacingForTheSameRunsGetsEach(StoreKind kind)
    {
        using var t = new TestStore(kind);
        var (store, study) = WithStudy(t);
        using var other = t.Open();
        using (store)
        {
            var runs = store.AddRuns(study.Id, Enumerable.Range(1, 40).Select(i => Run("baseline", i)).ToList());
            var wins = new int[2];
            Parallel.For(0, 2, lab =>
            {
                var s = lab == 0 ? store : other;
                foreach (var run in runs)
                {
                    if (s.BeginAttempt(run.Id, 0, 1, $"lab{lab}") is not null)
                        Interlocked.Increment(ref wins[lab]);
                }
            });
            Assert.Equal(40, wins.Sum());
            Assert.All(store.ListRuns(new RunQuery { StudyId = study.Id }), r => Assert.Equal((RunState.Starting, 1L), (r.State, r.Attempt)));
        }
    }

    [Theory, SqliteStore, PostgresStore]
    public void AStoreFromANewerPlabIsRefusedClearly(StoreKind kind)
    {
        using var t = new TestStore(kind);
        t.Open().Dispose();
        t.Sql($"INSERT INTO plab_schema (version, description, applied_at) VALUES ({SchemaMigrations.Latest + 5}, 'future', 0)");
        var e = Assert.Throws<StoreException>(() => t.Open());
        Assert.Contains($"written by a newer plab (schema version {SchemaMigrations.Latest + 5}", e.Message);
    }

    [Theory, SqliteStore, PostgresStore]
    public void ADatabaseWithOtherTablesIsNotAPlabStore(StoreKind kind)
    {
        using var t = new TestStore(kind);
        t.Sql("CREATE TABLE customers (id INTEGER)");
        var e = Assert.Throws<StoreException>(() => t.Open());
        Assert.Contains("is not a plab store: it holds other tables (customers)", e.Message);
    }

    [Theory, SqliteStore, PostgresStore]
    public void AnOlderStoreIsMigratedInPlaceKeepingItsData(StoreKind kind)
    {
        using var t = new TestStore(kind);
        long runId;
        using (var store = t.Open())
        {
            var study = store.CreateStudy(new NewStudy("old", "val_bpb", "{}", "/runs"));
            runId = store.AddRuns(study.Id, [Run("baseline", 1)])[0].Id;
        }
        // Take the store back to schema version 1, as an older plab left it.
        t.Sql("DROP INDEX runs_by_study_label");
        t.Sql("DROP INDEX runs_by_study");
        t.Sql("DELETE FROM plab_schema WHERE version >= 2");

        using var migrated = t.Open();
        Assert.Equal(SchemaMigrations.Latest, migrated.SchemaVersion);
        Assert.Equal("baseline", migrated.GetRun(runId)!.Label);
        Assert.Single(migrated.ListRuns(new RunQuery { Label = "baseline" }));
    }
}
