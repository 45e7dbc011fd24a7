using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;
using PretrainLab.Research.Researchers;

namespace PretrainLab.Research.Studies;

/// <summary>
/// Runs a research study to its budget on the lab's scheduler. Whenever a slot is free and something has changed
/// (a run ended, or the study just started), the researcher gets a turn; its proposals pass the study's fences and
/// become queued runs that the scheduler trains in worker processes. When the researcher is done or the budget is
/// spent, the leader is replicated to the agenda's confirmation seeds (from runs kept in reserve for it), so the
/// incumbent the study reports has an interval against the baseline. All state is in the store: a killed loop is
/// continued by running it again, its orphaned runs resumed by the scheduler.
/// </summary>
public sealed class ResearchLoop
{
    private readonly ResearchStudy _study;
    private readonly IResearcher _researcher;
    private readonly string _storeLocation;
    private readonly WorkerLauncher _launcher;
    private readonly SchedulerOptions _options;
    private readonly TextWriter? _log;
    private readonly Action<ResearchProgress>? _progress;
    private readonly HashSet<string> _outcomes = [];
    private CancellationToken _cancellation;
    private string _phase = Researching;
    private string? _reason;
    private int _ended = -1;
    private bool _news = true;

    private const string Researching = "researching";
    private const string Confirming = "confirming";
    private const string Done = "done";

    /// <summary>Prepares a session.</summary>
    /// <param name="study">The study.</param>
    /// <param name="researcher">Who proposes.</param>
    /// <param name="storeLocation">What workers open to reach the store.</param>
    /// <param name="launcher">How to start workers.</param>
    /// <param name="options">Slots, cores, timings.</param>
    /// <param name="log">The scheduler's and the loop's event lines, or null.</param>
    /// <param name="progress">Called whenever the picture changes, or null.</param>
    public ResearchLoop(
        ResearchStudy study, IResearcher researcher, string storeLocation, WorkerLauncher launcher, SchedulerOptions options,
        TextWriter? log, Action<ResearchProgress>? progress)
    {
        _study = study;
        _researcher = researcher;
        _storeLocation = storeLocation;
        _launcher = launcher;
        _options = options;
        _log = log;
        _progress = progress;
    }

    /// <summary>Runs until the budget is spent and the incumbent confirmed, or until <paramref name="cancellation"/> interrupts.</summary>
    public ResearchOutcome Run(CancellationToken cancellation)
    {
        _cancellation = cancellation;
        _study.ReserveRuns = Math.Max(0, _study.Agenda.Seeds.Confirm - _study.Agenda.Seeds.Experiment);
        foreach (var entry in _study.ReadJournal().Where(e => e.Kind == ResearchJournal.Outcome))
            _outcomes.Add(entry.Text.Split(':', 2)[0]);
        _study.StartSession($"research session started: researcher {_researcher.Name}, {_options.Slots} slots");
        var scheduler = new StudyScheduler(_study.Store, _storeLocation, _study.Study, _launcher, _options, _log, Refill);
        var result = scheduler.Run(cancellation);
        var state = _study.State();
        if (!result.Interrupted)
        {
            Conclude(state);
            Report(state);
        }
        return new ResearchOutcome(result.Interrupted, _reason, state);
    }

    private bool Refill(IReadOnlyList<RunRecord> runs)
    {
        if (_cancellation.IsCancellationRequested)
            return false;
        var ended = runs.Count(r => r.State.IsFinal());
        if (ended == _ended)
            return Turn(runs.Count - ended);
        _ended = ended;
        _news = true;
        JournalOutcomes(_study.State());
        var queued = Turn(runs.Count - ended);
        // Reported after the turn, so the line counts the runs the researcher just queued among those in flight.
        Report(_study.State());
        return queued;
    }

    /// <summary>Gives the researcher a turn when slots are free and something changed, or moves on to confirming; true when runs were queued.</summary>
    private bool Turn(int pending)
    {
        if (_phase == Done || pending >= _options.Slots)
            return false;
        if (_phase == Researching)
        {
            if (!_news)
                return false;
            _news = false;
            var state = _study.State();
            var turn = state.Budget.OutOfTime
                ? new ResearchTurn(0, Done: true, "the hours are spent")
                : _researcher.ActAsync(_study, state, _options.Slots - pending, _cancellation).GetAwaiter().GetResult();
            if (turn.RunsQueued > 0)
            {
                _log?.WriteLine($"{_researcher.Name} queued {turn.RunsQueued} runs");
                return true;
            }
            if (!turn.Done && pending > 0)
                return false;
            _reason = turn.Reason ?? "the researcher proposed nothing more";
            _study.Journal("event", null, $"{_researcher.Name} stopped proposing: {_reason}");
            _phase = Confirming;
        }
        // The leader is picked once every run has ended, so a run still training cannot overtake it afterwards.
        if (_phase == Confirming && pending == 0)
        {
            _phase = Done;
            return Confirm(_study.State());
        }
        return false;
    }

    /// <summary>Brings the leader to the confirmation seeds, from the reserve; true when runs were queued.</summary>
    private bool Confirm(ResearchState state)
    {
        var leader = state.Leader;
        var seeds = _study.Agenda.Seeds.Confirm;
        _study.ReserveRuns = 0;
        if (leader is null || leader.Label == ResearchStudy.BaselineLabel || leader.Sample.Count >= seeds)
            return false;
        var result = _study.Propose([new ExperimentProposal($"confirm the leader {leader.Label} over {seeds} seeds", leader.Knobs, seeds)], "confirmation", useReserve: true)[0];
        if (!result.Accepted)
        {
            _log?.WriteLine($"could not confirm {leader.Label}: {result.Error}");
            return false;
        }
        _log?.WriteLine($"confirming {leader.Label} over {seeds} seeds: {result.RunIds.Count} more runs");
        return true;
    }

    /// <summary>
    /// Journals the closing finding, once: the incumbent's effect against the baseline, or, when no experiment cleared
    /// the noise floor, the confirmed leader's.
    /// </summary>
    private void Conclude(ResearchState state)
    {
        var incumbent = state.Incumbent.Label != ResearchStudy.BaselineLabel;
        if ((incumbent ? state.Incumbent : state.Leader) is not { } subject || subject.Label == ResearchStudy.BaselineLabel)
            return;
        var evidence = $"(evidence: {subject.Label} vs {ResearchStudy.BaselineLabel})";
        if (_study.ReadJournal().Any(e => e.Kind == ResearchJournal.Finding && e.Text.EndsWith(evidence, StringComparison.Ordinal)))
            return;
        var changes = string.Join(", ", subject.Knobs.Select(k => $"{k.Key}={k.Value}"));
        _study.RecordFinding(incumbent
            ? $"the incumbent {subject.Label} ({changes}) beats the baseline beyond the noise floor"
            : $"the best variant {subject.Label} ({changes}) does not beat the baseline beyond the noise floor, so the baseline stands", subject.Label, ResearchStudy.BaselineLabel);
    }

    private void JournalOutcomes(ResearchState state)
    {
        foreach (var variant in state.Variants.Where(v => v.Done))
        {
            var key = ResearchJournal.OutcomeKey(variant.Label, variant.Seeds.Count);
            if (!_outcomes.Add(key))
                continue;
            var lost = variant.Lost > 0 ? $"; {variant.Lost} runs diverged, failed or were stopped" : "";
            var noise = variant.Label == ResearchStudy.BaselineLabel && state.NoiseFloor.Sigma is { } sigma
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"; noise floor σ {sigma:F4}")
                : "";
            _study.Journal(ResearchJournal.Outcome, variant.FirstRunId, $"{key}: {EffectText.Describe(variant, _study.Objective)}{noise}{lost}");
        }
    }

    private void Report(ResearchState state)
    {
        if (_progress is null)
            return;
        var finding = _study.ReadJournal().LastOrDefault(e => e.Kind == ResearchJournal.Finding)?.Text;
        var leader = state.Leader is { } l ? EffectText.Describe(l, _study.Objective) : null;
        _progress(new ResearchProgress(state.Runs.Count(r => r.State.IsFinal()), state.Pending, state.Budget, leader, finding, _phase));
    }
}
