using System.Globalization;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;

namespace PretrainLab.Lab.Scheduling;

/// <summary>
/// The lab's loop for one study: starts each queued run in its own worker process while slots and cores are free,
/// notices workers that end without an outcome and runs whose worker is gone (after the lab itself was killed),
/// puts them back in the queue to resume from their checkpoints, promotes and prunes under successive halving, and
/// returns when every run is final. All state lives in the store, so a second lab on the same study, or the next
/// one after a crash, picks up exactly where this one stands.
/// </summary>
public sealed class StudyScheduler
{
    private readonly ILabStore _store;
    private readonly StudyRecord _study;
    private readonly StudySpec _spec;
    private readonly string _storeLocation;
    private readonly WorkerLauncher _launcher;
    private readonly SchedulerOptions _options;
    private readonly TextWriter? _log;
    private readonly string _host = Environment.MachineName;
    private readonly Dictionary<long, WorkerProcess> _workers = [];
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SuccessiveHalving? _halving;
    private readonly MedianStopping? _earlyStopping;
    private readonly HashSet<string> _stopped = [];
    private readonly Dictionary<long, IReadOnlyList<long>> _rungSteps = [];
    private readonly Dictionary<(long Run, long Step), double> _rungScores = [];
    private readonly Func<IReadOnlyList<RunRecord>, bool>? _refill;
    private int _launched;
    private int _recovered;

    /// <summary>Prepares to run <paramref name="study"/>, whose store <paramref name="store"/> is at <paramref name="storeLocation"/>.</summary>
    /// <param name="store">The open store.</param>
    /// <param name="storeLocation">What workers open to reach the same store (see <see cref="LabStore.Resolve"/>).</param>
    /// <param name="study">The study.</param>
    /// <param name="launcher">How to start a worker process.</param>
    /// <param name="options">Slots, cores and timings.</param>
    /// <param name="log">Where to write one line per event for people, or null.</param>
    /// <param name="refill">
    /// Called on every pass with the study's runs before the lab decides whether it is done; it may add runs (a
    /// researcher filling free slots) and returns true when it did. The lab ends when nothing is left to run after it.
    /// </param>
    public StudyScheduler(
        ILabStore store, string storeLocation, StudyRecord study, WorkerLauncher launcher, SchedulerOptions options, TextWriter? log,
        Func<IReadOnlyList<RunRecord>, bool>? refill = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Cores, 1);
        _store = store;
        _storeLocation = storeLocation;
        _study = study;
        _spec = StudySpec.FromJson(study.Definition);
        _launcher = launcher;
        _options = options;
        _log = log;
        _refill = refill;
        if (_spec.Halving is { } halving)
            _halving = new SuccessiveHalving(halving, _spec.Objective, _spec.Baseline, RungSteps, ObjectiveAt);
        if (_spec.EarlyStopping is { } earlyStopping)
            _earlyStopping = new MedianStopping(earlyStopping, _spec.Objective, _spec.Baseline, run => _store.GetMetrics(run.Id));
    }

    /// <summary>Runs the study until every run is final, or until <paramref name="cancellation"/> interrupts it.</summary>
    public StudyRunResult Run(CancellationToken cancellation)
    {
        Journal(null, $"lab started on {_host}: {_options.Slots} slots, {_options.Cores} cores");
        while (!cancellation.IsCancellationRequested)
        {
            var runs = _store.ListRuns(new RunQuery { StudyId = _study.Id });
            var changed = ReapWorkers(runs) | RecoverOrphans(runs);
            if (changed)
                runs = _store.ListRuns(new RunQuery { StudyId = _study.Id });
            if (_refill?.Invoke(runs) == true)
                runs = _store.ListRuns(new RunQuery { StudyId = _study.Id });

            var busy = runs.Any(r => r.State is RunState.Queued || r.State.IsActive());
            if (_halving is not null && ApplyHalving(runs, idle: !busy))
                continue;
            if (!busy && _workers.Count == 0)
                break;
            if (_earlyStopping is not null)
                StopLaggards(runs);

            Launch(runs);
            // Woken at once by a worker's exit; otherwise look again after a poll interval.
            try
            {
                _wake.Wait(_options.Poll, cancellation);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        var interrupted = cancellation.IsCancellationRequested;
        if (interrupted)
            Interrupt();
        var states = _store.ListRuns(new RunQuery { StudyId = _study.Id }).GroupBy(r => r.State).ToDictionary(g => g.Key, g => g.Count());
        Journal(null, interrupted
            ? "lab interrupted; `plab study run` resumes the study"
            : $"lab finished: {string.Join(", ", states.OrderBy(s => s.Key).Select(s => $"{s.Value} {s.Key.ToName()}"))}");
        foreach (var worker in _workers.Values)
            worker.Dispose();
        return new StudyRunResult(interrupted, _launched, _recovered, states);
    }

    private bool ReapWorkers(IReadOnlyList<RunRecord> runs)
    {
        var changed = false;
        foreach (var worker in _workers.Values.Where(w => w.HasExited).ToList())
        {
            _workers.Remove(worker.RunId);
            var run = runs.FirstOrDefault(r => r.Id == worker.RunId);
            // A worker that recorded its outcome has moved the run on; one that did not crashed or was killed.
            if (run is not null && run.Attempt == worker.Attempt && run.State.IsActive())
                changed |= Recover(run, worker.DescribeExit());
            worker.Dispose();
            changed = true;
        }
        return changed;
    }

    private bool RecoverOrphans(IReadOnlyList<RunRecord> runs)
    {
        var changed = false;
        var now = DateTimeOffset.UtcNow;
        foreach (var run in runs.Where(r => r.State.IsActive() && !_workers.ContainsKey(r.Id)))
        {
            if (RunLiveness.OrphanReason(run, now, _options.StaleAfter, _host) is { } reason)
                changed |= Recover(run, $"orphaned: {reason}");
        }
        return changed;
    }

    private bool Recover(RunRecord run, string error)
    {
        var resumeFrom = run.CheckpointStep is { } s ? $"resumes from its checkpoint at step {s}" : "restarts from step 0 (no checkpoint yet)";
        if (run.Attempt >= _spec.MaxAttempts)
        {
            if (!_store.Fail(run.Id, run.Attempt, $"{error}; failed after {run.Attempt} attempts"))
                return false;
            Journal(run.Id, $"run {run.Id} ({run.Label}, seed {run.Seed}) failed: {error}; {run.Attempt} attempts used");
        }
        else
        {
            if (!_store.Requeue(run.Id, run.Attempt, error))
                return false;
            Journal(run.Id, $"run {run.Id} ({run.Label}, seed {run.Seed}): {error}; queued again, {resumeFrom}");
        }
        _recovered++;
        return true;
    }

    private bool ApplyHalving(IReadOnlyList<RunRecord> runs, bool idle)
    {
        var decisions = _halving!.Decide(runs, idle);
        var applied = false;
        foreach (var d in decisions)
        {
            if (d.Promote && _store.Promote(d.Run.Id, d.NextRung, d.TargetStep))
            {
                applied = true;
                Journal(d.Run.Id, $"promoted run {d.Run.Id} ({d.Run.Label}, seed {d.Run.Seed}) to rung {d.NextRung}: {d.Reason}");
            }
            else if (!d.Promote && _store.Prune(d.Run.Id, d.Reason))
            {
                applied = true;
                Journal(d.Run.Id, $"pruned run {d.Run.Id} ({d.Run.Label}, seed {d.Run.Seed}): {d.Reason}");
            }
        }
        return applied;
    }

    private void StopLaggards(IReadOnlyList<RunRecord> runs)
    {
        foreach (var (label, reason) in _earlyStopping!.Decide(runs).Where(d => !_stopped.Contains(d.Label)))
        {
            _stopped.Add(label);
            foreach (var run in runs.Where(r => r.Label == label))
            {
                if (run.State.IsActive())
                    _store.RequestStop(run.Id, RunWorker.PruneRequest);
                else if (run.State == RunState.Queued)
                    _store.Prune(run.Id, reason);
            }
            Journal(null, $"stopping variant {label} early: {reason}");
        }
    }

    private void Launch(IReadOnlyList<RunRecord> runs)
    {
        var adopted = runs.Where(r => r.State.IsActive() && !_workers.ContainsKey(r.Id)).ToList();
        var usedCores = _workers.Values.Sum(w => w.Threads) + adopted.Sum(r => r.Threads ?? 1);
        var running = _workers.Count + adopted.Count;
        // Promoted runs first: they are the most promising and the closest to a result.
        foreach (var run in runs.Where(r => r.State == RunState.Queued).OrderByDescending(r => r.Rung).ThenBy(r => r.Id))
        {
            if (running >= _options.Slots)
                break;
            var threads = ThreadsFor(run);
            if (running > 0 && usedCores + threads > _options.Cores)
                break;
            if (_store.BeginAttempt(run.Id, run.Attempt, threads, _host) is not { } attempt)
                continue;
            var worker = _launcher.Start(run.Id, attempt, threads, _options.Heartbeat, _storeLocation, () => _wake.Release());
            _store.SetWorkerPid(run.Id, attempt, worker.Pid);
            _workers[run.Id] = worker;
            _launched++;
            running++;
            usedCores += threads;
            var resume = run.CheckpointStep is { } s ? $", resuming at step {s}" : "";
            _log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"started run {run.Id} ({run.Label}, seed {run.Seed}) attempt {attempt} on {threads} threads, pid {worker.Pid}{resume}"));
        }
    }

    private int ThreadsFor(RunRecord run)
    {
        var recipe = Recipe.FromJson(_store.GetRun(run.Id)!.Recipe!);
        return recipe.Train.Threads > 0
            ? Math.Min(recipe.Train.Threads, _options.Cores)
            : Math.Max(1, _options.Cores / _options.Slots);
    }

    private void Interrupt()
    {
        foreach (var worker in _workers.Values)
            _store.RequestStop(worker.RunId, RunWorker.InterruptRequest);
        var deadline = DateTime.UtcNow + _options.InterruptGrace;
        while (_workers.Values.Any(w => !w.HasExited) && DateTime.UtcNow < deadline)
            Thread.Sleep(100);
        _log?.WriteLine(_workers.Values.All(w => w.HasExited)
            ? "interrupted: every worker saved a checkpoint and stopped"
            : "interrupted: some workers are still stopping; the next lab adopts or resumes them");
    }

    private IReadOnlyList<long> RungSteps(RunRecord run)
    {
        if (!_rungSteps.TryGetValue(run.Id, out var steps))
        {
            steps = _spec.Halving!.RungSteps(Recipe.FromJson(_store.GetRun(run.Id)!.Recipe!));
            _rungSteps[run.Id] = steps;
        }
        return steps;
    }

    private double? ObjectiveAt(RunRecord run, long step)
    {
        if (_rungScores.TryGetValue((run.Id, step), out var known))
            return known;
        // A rung's result never changes once the run has gone past it.
        var point = _store.GetMetrics(run.Id).FirstOrDefault(p => p.Step == step);
        var score = _spec.Objective == "val_loss" ? point?.ValLoss : point?.ValBpb;
        if (score is { } value)
            _rungScores[(run.Id, step)] = value;
        return score;
    }

    private void Journal(long? runId, string text)
    {
        _store.AddJournalEntry(_study.Id, runId, "event", text);
        _log?.WriteLine(text);
    }
}
