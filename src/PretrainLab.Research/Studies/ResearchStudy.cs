using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;
using PretrainLab.Research.Agendas;

namespace PretrainLab.Research.Studies;

/// <summary>
/// A lab study driven by an agenda: the baseline replicated over the noise seeds, then the experiments researchers
/// propose. Everything goes through the lab's store (runs are added with <see cref="ILabStore.AddRuns"/> and trained by
/// its scheduler), and every proposal passes the fences here before a run exists: only the agenda's knobs, only
/// within their bounds, only valid recipes within the constraints, and only while the budget lasts.
/// </summary>
public sealed partial class ResearchStudy
{
    /// <summary>The key under which the agenda is stored in the study's definition.</summary>
    public const string DefinitionKey = "research";

    /// <summary>The baseline's label.</summary>
    public const string BaselineLabel = StudyFile.BaselineLabel;

    private readonly Dictionary<long, RunCost> _plannedCosts = [];
    private readonly Lock _gate = new();
    private DateTimeOffset? _sessionStart;
    private double _earlierHours;

    private ResearchStudy(ILabStore store, StudyRecord study, Agenda agenda, Recipe baseline)
    {
        Store = store;
        Study = study;
        Agenda = agenda;
        Baseline = baseline;
        BaselineCost = RunCost.Of(baseline);
    }

    /// <summary>The store.</summary>
    public ILabStore Store { get; }

    /// <summary>The lab study.</summary>
    public StudyRecord Study { get; }

    /// <summary>The agenda.</summary>
    public Agenda Agenda { get; }

    /// <summary>The baseline recipe with the agenda's settings and per-run budget, at its first seed.</summary>
    public Recipe Baseline { get; }

    /// <summary>The planned cost of one baseline run.</summary>
    public RunCost BaselineCost { get; }

    /// <summary>The metric decisions use.</summary>
    public string Objective => Agenda.Objective.Metric;

    /// <summary>
    /// Runs kept back from researchers' proposals for the final confirmation of the incumbent; the research loop
    /// releases them when it confirms.
    /// </summary>
    public int ReserveRuns { get; set; }

    /// <summary>
    /// Opens the study of <paramref name="agenda"/>, creating it with its baseline runs when the store has none of that
    /// name. A study that exists must have the same objective and baseline recipe; the rest of the agenda (budget,
    /// knobs, guidance) is taken from the file, so a study can be given more budget on restart.
    /// </summary>
    /// <exception cref="RecipeException">The baseline recipe is invalid.</exception>
    /// <exception cref="StoreException">The study exists but is not this agenda's, or the store fails.</exception>
    public static ResearchStudy Open(ILabStore store, Agenda agenda, string runsDirectory)
    {
        var baseline = RecipeLoader.Load(agenda.Baseline, [.. agenda.Set, .. agenda.PerRun]);
        var existing = store.FindStudy(agenda.Name);
        if (existing is null)
            return Create(store, agenda, baseline, runsDirectory);
        var stored = StoredAgenda(existing)
            ?? throw new StoreException($"study '{agenda.Name}' in {store.Location} was not made by plab research; give the agenda another name");
        var baselineRun = store.ListRuns(new RunQuery { StudyId = existing.Id, Label = BaselineLabel, Limit = 1 }).FirstOrDefault();
        if (stored.Objective != agenda.Objective || (baselineRun is not null && baselineRun.ConfigHash != NewRun.ConfigHash(baseline)))
        {
            throw new StoreException(
                $"study '{agenda.Name}' in {store.Location} began with another objective or baseline recipe; an agenda keeps both for life, so give the changed one another name");
        }
        var study = new ResearchStudy(store, existing, agenda, baseline);
        if (stored.ToJson() != agenda.ToJson())
            study.Journal("event", null, $"agenda read again from {agenda.Source ?? "its file"}: budget {Describe(agenda.Budget)}, {agenda.Knobs.Count} knobs");
        return study;
    }

    /// <summary>
    /// Creates the study of <paramref name="agenda"/> with its baseline runs over the noise seeds queued, as
    /// <see cref="Open(ILabStore, Agenda, string)"/> does for a new name; the study can then be researched, served over
    /// MCP or its queued runs trained by the lab alone.
    /// </summary>
    /// <exception cref="RecipeException">The baseline recipe is invalid.</exception>
    /// <exception cref="StoreException">The store already has a study of that name, or fails.</exception>
    public static ResearchStudy Create(ILabStore store, Agenda agenda, string runsDirectory) =>
        Create(store, agenda, RecipeLoader.Load(agenda.Baseline, [.. agenda.Set, .. agenda.PerRun]), runsDirectory);

    /// <summary>Opens a research study from its stored agenda, by name, or the store's only research study when no name is given.</summary>
    /// <exception cref="StoreException">There is no such study, or more than one to choose from.</exception>
    /// <exception cref="RecipeException">The stored baseline recipe no longer loads.</exception>
    public static ResearchStudy Open(ILabStore store, string? name)
    {
        var studies = store.ListStudies().Where(s => StoredAgenda(s) is not null).ToList();
        var study = name is not null
            ? studies.FirstOrDefault(s => s.Name == name) ?? throw new StoreException($"no research study named '{name}' in {store.Location}")
            : studies.Count == 1 ? studies[0]
            : throw new StoreException(studies.Count == 0
                ? $"no research study in {store.Location}; start one with 'plab research AGENDA'"
                : $"{studies.Count} research studies in {store.Location}: name one ({string.Join(", ", studies.Select(s => s.Name))})");
        var agenda = StoredAgenda(study)!;
        return new ResearchStudy(store, study, agenda, RecipeLoader.Load(agenda.Baseline, [.. agenda.Set, .. agenda.PerRun]));
    }

    /// <summary>The agenda stored with <paramref name="study"/>, or null when it is not a research study.</summary>
    public static Agenda? StoredAgenda(StudyRecord study)
    {
        try
        {
            return JsonNode.Parse(study.Definition)?[DefinitionKey] is JsonObject node ? Agenda.FromJson(node.ToJsonString()) : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
        {
            return null;
        }
    }

    private static ResearchStudy Create(ILabStore store, Agenda agenda, Recipe baseline, string runsDirectory)
    {
        runsDirectory = Path.GetFullPath(runsDirectory);
        var spec = new StudySpec
        {
            Name = agenda.Name,
            Objective = agenda.Objective.Metric,
            Seeds = Enumerable.Range(baseline.Seed, agenda.Seeds.Noise).ToList(),
            Baseline = BaselineLabel,
            Variants = [new StudyVariant(BaselineLabel, agenda.Baseline, [.. agenda.Set, .. agenda.PerRun])],
            TestData = agenda.TestData,
            MaxAttempts = agenda.MaxAttempts,
            Source = agenda.Source,
        };
        (spec, var runs) = StudyPlanner.Plan(spec, runsDirectory);
        var definition = JsonNode.Parse(spec.ToJson())!.AsObject();
        definition[DefinitionKey] = JsonNode.Parse(agenda.ToJson());
        var record = store.CreateStudy(new NewStudy(spec.Name, spec.Objective, definition.ToJsonString(), runsDirectory));
        var added = store.AddRuns(record.Id, runs);
        var study = new ResearchStudy(store, record, agenda, baseline);
        study.Journal("event", added[0].Id, string.Create(CultureInfo.InvariantCulture,
            $"research study created from {agenda.Source ?? "an agenda"}: objective {agenda.Objective.Metric}, {agenda.Knobs.Count} knobs, budget {Describe(agenda.Budget)}; the baseline runs over {spec.Seeds.Count} seeds to measure the noise floor"));
        return study;
    }

    /// <summary>The first <paramref name="count"/> seeds, counting up from the baseline's, which every variant shares so runs pair.</summary>
    public IReadOnlyList<int> SeedsFor(int count) => Enumerable.Range(Baseline.Seed, count).ToList();

    /// <summary>Marks the start of a research session; its wall clock counts towards an hours budget.</summary>
    public void StartSession(string description)
    {
        var journal = Store.GetJournal(Study.Id);
        double hours = 0;
        DateTimeOffset? start = null, last = null;
        foreach (var entry in journal)
        {
            if (entry.Kind == ResearchJournal.Session)
            {
                if (start is { } s && last is { } l)
                    hours += (l - s).TotalHours;
                start = entry.At;
            }
            last = entry.At;
        }
        if (start is { } open && last is { } end)
            hours += (end - open).TotalHours;
        lock (_gate)
        {
            _earlierHours = hours;
            _sessionStart = DateTimeOffset.UtcNow;
        }
        Journal(ResearchJournal.Session, null, description);
    }

    /// <summary>The study as it stands: variants and their results, the noise floor, the incumbent, the budget.</summary>
    public ResearchState State()
    {
        var runs = Store.ListRuns(new RunQuery { StudyId = Study.Id });
        var noise = StudyAnalysis.NoiseFloorOf(runs, BaselineLabel, Objective);
        var baselineSample = SeedSample.Of(BaselineLabel, runs, Objective);
        var variants = runs.GroupBy(r => r.Label)
            .OrderBy(g => g.Key == BaselineLabel ? 0 : 1).ThenBy(g => g.Min(r => r.Id))
            .Select(g =>
            {
                var sample = SeedSample.Of(g.Key, g, Objective);
                return new VariantResult
                {
                    Label = g.Key,
                    Knobs = g.First().Knobs,
                    Seeds = g.Select(r => r.Seed).Distinct().Order().ToList(),
                    Pending = g.Count(r => !r.State.IsFinal()),
                    Lost = g.Count(r => r.State.IsFinal() && r.State != RunState.Finished),
                    Sample = sample,
                    VersusBaseline = g.Key == BaselineLabel ? null : EffectEstimator.Compare(baselineSample, sample, Objective, noise.Sigma),
                    FirstRunId = g.Min(r => r.Id),
                };
            })
            .ToList();
        var ended = variants.Where(v => v.Done && v.Sample.Count > 0).ToList();
        var confirmed = Math.Min(Agenda.Seeds.Confirm, Agenda.Seeds.Noise);
        return new ResearchState
        {
            Runs = runs,
            Variants = variants,
            NoiseFloor = noise,
            Leader = ended.MinBy(v => v.Mean),
            Incumbent = ended.Where(v => v.Sample.Count >= confirmed && v.VersusBaseline?.Verdict == EffectEstimator.Better).MinBy(v => v.Mean)
                ?? variants[0],
            Budget = Spent(runs),
        };
    }

    /// <summary>
    /// Checks each proposed experiment against the agenda and the budget and queues the runs of those that pass, in
    /// order; the others come back with the reason. An experiment whose recipe an earlier variant already trains adds
    /// the seeds that variant lacks instead of a copy.
    /// </summary>
    /// <param name="proposals">The experiments.</param>
    /// <param name="author">Who proposed them (<c>tpe</c>, <c>llm</c>, <c>mcp</c>), for the journal.</param>
    /// <param name="useReserve">True for the loop's own confirmation runs, which may spend the reserve.</param>
    public IReadOnlyList<ProposalResult> Propose(IReadOnlyList<ExperimentProposal> proposals, string author, bool useReserve = false)
    {
        if (proposals.Count > Agenda.Constraints.MaxExperiments)
            return [new ProposalResult(0, null, [], [], $"{proposals.Count} experiments in one proposal; the agenda allows at most {Agenda.Constraints.MaxExperiments}")];
        lock (_gate)
        {
            var state = State();
            var budget = state.Budget;
            var byHash = state.Runs.GroupBy(r => r.ConfigHash).ToDictionary(g => g.Key, g => (g.First().Label, Seeds: g.Select(r => (int)r.Seed).ToHashSet()));
            var next = state.Variants.Select(v => ExperimentNumber(v.Label)).DefaultIfEmpty(0).Max() + 1;
            var results = new List<ProposalResult>();
            for (var i = 0; i < proposals.Count; i++)
            {
                var (recipe, seeds, error) = Check(proposals[i]);
                if (recipe is null)
                {
                    results.Add(new ProposalResult(i, null, [], [], error));
                    continue;
                }
                var hash = NewRun.ConfigHash(recipe);
                var label = byHash.TryGetValue(hash, out var known) ? known.Label : $"e{next}";
                var fresh = seeds.Where(s => known.Seeds?.Contains(s) != true).ToList();
                if (fresh.Count == 0)
                {
                    var result = state.Find(label) is { Mean: { } mean } v ? string.Create(CultureInfo.InvariantCulture, $"{Objective} {mean:F4} over {v.Sample.Count} seeds") : "runs pending";
                    results.Add(new ProposalResult(i, null, [], [], $"the same recipe as {label} ({result}) with the same seeds; ask for more seeds to replicate it"));
                    continue;
                }
                var cost = RunCost.Of(recipe);
                if (budget.Refusal(fresh.Count, cost, useReserve ? 0 : ReserveRuns, BaselineCost) is { } refusal)
                {
                    results.Add(new ProposalResult(i, null, [], [], refusal, OverBudget: true));
                    continue;
                }
                var knobs = RecipeDifference.Between(Baseline, recipe);
                var runs = fresh.Select(seed =>
                {
                    var seeded = recipe with { Seed = seed, Name = $"{Study.Name}/{label}" };
                    return new NewRun(label, seeded, knobs, Path.Combine(Study.RunsDirectory, $"{label}-{hash[..8]}-s{seed}"));
                }).ToList();
                var added = Store.AddRuns(Study.Id, runs);
                foreach (var run in added)
                    _plannedCosts[run.Id] = cost;
                budget = budget with { Runs = budget.Runs + added.Count, Flops = budget.Flops + added.Count * cost.Flops, Tokens = budget.Tokens + added.Count * cost.Tokens };
                if (known.Label is null)
                {
                    byHash[hash] = (label, fresh.ToHashSet());
                    next++;
                }
                else
                {
                    known.Seeds.UnionWith(fresh);
                }
                Journal(ResearchJournal.Hypothesis, added[0].Id, ResearchJournal.FormatHypothesis(label, author, proposals[i].Hypothesis, knobs, fresh));
                results.Add(new ProposalResult(i, label, added.Select(r => r.Id).ToList(), fresh, null));
            }
            return results;
        }
    }

    /// <summary>The effect of going from variant (or run id) <paramref name="a"/> to <paramref name="b"/>, with the noise floor.</summary>
    /// <exception cref="ArgumentException">A side names no run or variant of this study.</exception>
    public RunComparison Compare(string a, string b)
    {
        var comparison = RunComparison.Compare(Store, Study, a, b, Objective);
        return comparison.Study == Study.Name ? comparison : throw new ArgumentException($"{a} and {b} are not in study '{Study.Name}'");
    }

    /// <summary>Journals a finding with the comparison it rests on; the effect is computed, never taken from the researcher.</summary>
    /// <exception cref="ArgumentException">The statement is empty or a side names no variant.</exception>
    public (JournalEntry Entry, RunComparison Evidence) RecordFinding(string statement, string variant, string versus)
    {
        if (string.IsNullOrWhiteSpace(statement))
            throw new ArgumentException("a finding needs a statement");
        var evidence = Compare(versus, variant);
        var labelA = evidence.Validation.Baseline;
        var labelB = evidence.Validation.Variant;
        var entry = Journal(ResearchJournal.Finding, null, ResearchJournal.FormatFinding(statement, labelB, labelA));
        return (entry, evidence);
    }

    /// <summary>Writes a journal entry, with credentials scrubbed.</summary>
    public JournalEntry Journal(string kind, long? runId, string text) => Store.AddJournalEntry(Study.Id, runId, kind, Secrets.Scrub(text));

    /// <summary>The study's journal.</summary>
    public IReadOnlyList<JournalEntry> ReadJournal() => Store.GetJournal(Study.Id);

    /// <summary>The number of an experiment label (<c>e12</c> is 12), or 0 for any other label.</summary>
    public static int ExperimentNumber(string label)
    {
        var match = ExperimentLabel().Match(label);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private (Recipe? Recipe, IReadOnlyList<int> Seeds, string? Error) Check(ExperimentProposal proposal)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(proposal.Hypothesis))
            errors.Add("a hypothesis is required: say in a sentence what the change should do and why");
        var overrides = new List<string>();
        foreach (var (path, value) in proposal.Changes)
        {
            if (Agenda.FindKnob(path) is not { } knob)
            {
                errors.Add($"'{path}' is not a knob of this agenda (knobs: {string.Join(", ", Agenda.Knobs.Select(k => k.Path))})");
                continue;
            }
            var (text, error) = knob.Normalize(value);
            if (error is not null)
                errors.Add($"{path}: {error}");
            else
                overrides.Add($"{path}={text}");
        }
        var count = proposal.Seeds ?? Agenda.Seeds.Experiment;
        if (count < 1 || count > Agenda.Constraints.MaxSeeds)
            errors.Add($"seeds must be between 1 and {Agenda.Constraints.MaxSeeds}, got {count}");
        if (proposal.Budget is { } budget)
        {
            var (unit, amount) = BudgetOf(Baseline.Budget);
            if (budget.Unit != unit)
                errors.Add($"budget: runs are budgeted in {unit}; give {{\"{unit}\": N}} with N at most {Knob.Format(amount)}");
            else if (!(budget.Amount > 0) || budget.Amount > amount)
                errors.Add($"budget: {unit} must be in (0, {Knob.Format(amount)}], got {Knob.Format(budget.Amount)}");
            else
                overrides.Add($"budget.{unit}={(unit is "steps" or "tokens" ? Math.Floor(budget.Amount) : budget.Amount).ToString("R", CultureInfo.InvariantCulture)}");
        }
        if (errors.Count > 0)
            return (null, [], string.Join("; ", errors));

        Recipe recipe;
        try
        {
            recipe = RecipeLoader.Parse(Baseline.ToJson(), null, overrides, "experiment");
        }
        catch (RecipeException e)
        {
            return (null, [], $"the recipe is invalid: {string.Join("; ", e.Errors.Select(x => x.Path.Length == 0 ? x.Message : $"{x.Path}: {x.Message}"))}");
        }
        if (Agenda.Constraints.MaxParams is { } max && RunCost.Of(recipe).Parameters is var n && n > max)
            return (null, [], $"the model has {n:N0} parameters (the N of 6N), over the agenda's max_params {max:N0}");
        return (recipe, SeedsFor(count), null);
    }

    private BudgetStatus Spent(IReadOnlyList<RunRecord> runs)
    {
        double flops = 0, tokens = 0;
        foreach (var run in runs)
        {
            if (run.State.IsFinal())
            {
                flops += run.Flops ?? 0;
                tokens += run.Tokens ?? 0;
                continue;
            }
            RunCost cost;
            lock (_gate)
            {
                if (!_plannedCosts.TryGetValue(run.Id, out cost))
                {
                    cost = RunCost.Of(Recipe.FromJson(Store.GetRun(run.Id)!.Recipe!));
                    _plannedCosts[run.Id] = cost;
                }
            }
            // A run part-way counts at its plan: it is committed, and it will spend it unless it ends early.
            flops += Math.Max(cost.Flops, run.Flops ?? 0);
            tokens += Math.Max(cost.Tokens, run.Tokens ?? 0);
        }
        double hours;
        lock (_gate)
            hours = _earlierHours + (_sessionStart is { } s ? (DateTimeOffset.UtcNow - s).TotalHours : 0);
        return new BudgetStatus(Agenda.Budget, flops, tokens, runs.Count, hours);
    }

    private static (string Unit, double Amount) BudgetOf(BudgetSpec budget) =>
        budget.Steps is { } s ? ("steps", s)
        : budget.Tokens is { } t ? ("tokens", t)
        : budget.Flops is { } f ? ("flops", f)
        : ("seconds", budget.Seconds!.Value);

    private static string Describe(ResearchBudget budget) => new BudgetStatus(budget, 0, 0, 0, 0).Describe();

    [GeneratedRegex(@"^e(\d+)$")]
    private static partial Regex ExperimentLabel();
}
