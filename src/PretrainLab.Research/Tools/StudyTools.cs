using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PretrainLab.Lab.Analysis;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;
using PretrainLab.Lab.Studies;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Tools;

/// <summary>
/// The study's tools, with JSON schemas, for any researcher that speaks JSON: the LLM researcher and MCP clients.
/// Every input is read strictly and checked against the agenda by <see cref="ResearchStudy"/>; a bad one comes back
/// as an error result, never an exception, so the researcher can correct itself. Results are compact and capped in
/// size, and listings are paged, so a study of thousands of runs never floods a prompt.
/// </summary>
public sealed class StudyTools
{
    /// <summary>The most characters one result may have; longer ones are cut with a note.</summary>
    public const int MaxResultCharacters = 8_000;

    /// <summary>The most rows <c>query_runs</c> returns at once.</summary>
    public const int MaxRows = 50;

    private const int StateListSize = 8;
    private const int CurvePoints = 12;

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ResearchStudy _study;
    private readonly string _author;
    private readonly bool _withGuidance;
    private readonly Dictionary<string, (ToolDefinition Definition, Func<JsonElement, string> Invoke)> _tools = [];

    /// <summary>The tools of <paramref name="study"/>.</summary>
    /// <param name="study">The study.</param>
    /// <param name="author">Who the proposals are journaled as (<c>llm</c>, <c>mcp</c>).</param>
    /// <param name="withGuidance">Whether <c>get_study_state</c> carries the agenda's guidance (a model given it in its system prompt does not need it twice).</param>
    public StudyTools(ResearchStudy study, string author, bool withGuidance)
    {
        _study = study;
        _author = author;
        _withGuidance = withGuidance;
        Add("get_study_state",
            "The study now: objective, knobs and their bounds, budget spent and left, noise floor, leader and incumbent, best variants, runs in flight, recent outcomes, hypotheses and findings. Call it first.",
            """{"type":"object","properties":{},"additionalProperties":false}""",
            GetStudyState);
        Add("query_runs",
            $"Lists runs as a compact table, or variants (seed replicates together) with group_by_variant. Filter by label, state or knob values; sort by the objective or by id; page with offset. At most {MaxRows} rows.",
            $$$"""{"type":"object","properties":{"label":{"type":"string","description":"only this variant, e.g. e3 or baseline"},"state":{"type":"string","enum":["queued","starting","running","finished","diverged","failed","pruned","cancelled"]},"where":{"type":"object","description":"knob values to match exactly, e.g. {\"model.n_layer\": 3}","additionalProperties":{"type":["number","string","boolean"]}},"sort":{"type":"string","enum":["objective","id","-id"],"description":"objective: best first (default); id: oldest first; -id: newest first"},"group_by_variant":{"type":"boolean"},"limit":{"type":"integer","minimum":1,"maximum":{{{MaxRows}}}},"offset":{"type":"integer","minimum":0}},"additionalProperties":false}""",
            QueryRuns);
        Add("get_run",
            "One run: its variant's hypothesis and changes, its recipe, status, final metrics and a summary of its loss curve.",
            """{"type":"object","properties":{"id":{"type":"integer","description":"the run id"}},"required":["id"],"additionalProperties":false}""",
            GetRun);
        Add("propose_experiments",
            "Queues experiments. Each has a hypothesis and changes to the baseline (knob path to value, within the agenda's bounds); optionally more seeds (replicates pair with the baseline's seeds) and a smaller per-run budget. Each experiment is checked on its own; refused ones come back with the reason and cost nothing.",
            ProposeSchema(study.Agenda, study.Baseline),
            ProposeExperiments);
        Add("compare_runs",
            "The effect of going from a to b (run ids or variant labels; each stands for all seeds of its variant) on the objective, with a 95 % interval over seeds and the verdict against the noise floor.",
            """{"type":"object","properties":{"a":{"type":["string","integer"],"description":"the reference: a variant label or run id"},"b":{"type":["string","integer"],"description":"the change"}},"required":["a","b"],"additionalProperties":false}""",
            CompareRuns);
        Add("record_finding",
            "Writes a finding to the journal: a statement and the comparison it rests on (variant against versus, baseline by default). The effect is computed by the lab and stored with it; keep findings to what the numbers show.",
            """{"type":"object","properties":{"statement":{"type":"string","description":"the conclusion, one sentence"},"variant":{"type":"string","description":"the variant the statement is about"},"versus":{"type":"string","description":"what it is compared with (default baseline)"}},"required":["statement","variant"],"additionalProperties":false}""",
            RecordFinding);
    }

    /// <summary>The tools, in a fixed order.</summary>
    public IReadOnlyList<ToolDefinition> Definitions => _tools.Values.Select(t => t.Definition).ToList();

    /// <summary>Runs queued through <c>propose_experiments</c> by this instance.</summary>
    public int RunsQueued { get; private set; }

    /// <summary>Adds a tool, for hosts that offer more (the MCP server's lab control).</summary>
    public void Add(string name, string description, string schema, Func<JsonElement, string> invoke)
    {
        using var document = JsonDocument.Parse(schema);
        _tools[name] = (new ToolDefinition(name, description, document.RootElement.Clone()), invoke);
    }

    /// <summary>Calls tool <paramref name="name"/> with <paramref name="input"/>; a bad input or an unknown tool is an error result.</summary>
    public ToolResult Invoke(string name, JsonElement input)
    {
        if (!_tools.TryGetValue(name, out var tool))
            return Error($"unknown tool '{name}'; the tools are {string.Join(", ", _tools.Keys)}");
        try
        {
            return new ToolResult(Cap(Secrets.Scrub(tool.Invoke(input))));
        }
        catch (Exception e) when (e is ToolInputException or ArgumentException or InvalidOperationException)
        {
            return Error(e.Message);
        }
    }

    /// <summary>The study state as <c>get_study_state</c> gives it, for prompts.</summary>
    public string StateText() => GetStudyState(JsonDocument.Parse("{}").RootElement);

    private string GetStudyState(JsonElement input)
    {
        new ToolArguments(input).ThrowIfInvalid();
        var state = _study.State();
        var journal = _study.ReadJournal();
        var agenda = _study.Agenda;
        var states = state.Runs.GroupBy(r => r.State).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToName(), g => g.Count());
        var hypotheses = Hypotheses(journal);
        var node = new JsonObject
        {
            ["study"] = _study.Study.Name,
            ["objective"] = $"{_study.Objective}, lower is better (validation split)",
            ["knobs"] = new JsonArray(agenda.Knobs.Select(k => (JsonNode)$"{k.Path}: {k.Describe()}, baseline {Flat(k.Path)}").ToArray()),
            ["per_run_budget"] = PerRunBudget(),
            ["seeds"] = $"experiments {agenda.Seeds.Experiment} by default (at most {agenda.Constraints.MaxSeeds}); seeds count up from {_study.Baseline.Seed}, shared with the baseline so runs pair",
            ["budget"] = new JsonObject
            {
                ["spent"] = state.Budget.Describe(),
                ["fraction_spent"] = Math.Round(state.Budget.Fraction, 3),
                ["runs_you_can_still_add"] = RunsLeft(state.Budget),
            },
            ["noise_floor"] = state.NoiseFloor.Sigma is { } sigma
                ? string.Create(CultureInfo.InvariantCulture, $"baseline {state.NoiseFloor.Mean:F4} over {state.NoiseFloor.Seeds} seeds, sigma {sigma:F4}: an effect counts when its 95% interval excludes 0 and it exceeds {2 * sigma:F4}")
                : $"not measured yet ({state.NoiseFloor.Seeds} baseline seeds finished)",
            ["runs"] = JsonSerializer.SerializeToNode(states),
            ["variants_tried"] = state.Variants.Count - 1,
            ["leader"] = state.Leader is { } l ? Variant(l, hypotheses) : null,
            ["incumbent"] = Variant(state.Incumbent, hypotheses),
            ["best_variants"] = new JsonArray(state.Variants.Where(v => v.Mean is not null).OrderBy(v => v.Mean).Take(StateListSize).Select(v => Variant(v, hypotheses)).ToArray()),
            ["in_flight"] = new JsonArray(state.Variants.Where(v => !v.Done).TakeLast(StateListSize).Select(v => Variant(v, hypotheses)).ToArray()),
            ["recent_outcomes"] = Texts(journal, ResearchJournal.Outcome),
            ["recent_decisions"] = Texts(journal, ResearchJournal.Decision),
            ["findings"] = Texts(journal, ResearchJournal.Finding),
        };
        if (agenda.Constraints.MaxParams is { } maxParams)
            node["max_params"] = maxParams;
        if (_withGuidance)
            node["guidance"] = agenda.Guidance;
        return node.ToJsonString(Compact);
    }

    private string QueryRuns(JsonElement input)
    {
        var args = new ToolArguments(input, "label", "state", "where", "sort", "group_by_variant", "limit", "offset");
        var label = args.String("label");
        var stateName = args.String("state");
        var where = args.Object("where");
        var sort = args.String("sort") ?? "objective";
        var grouped = args.Boolean("group_by_variant") ?? false;
        var limit = (int)(args.Integer("limit", 1, MaxRows) ?? 20);
        var offset = (int)(args.Integer("offset", 0, int.MaxValue) ?? 0);
        RunState? runState = null;
        if (stateName is not null)
        {
            try
            {
                runState = RunStateNames.Parse(stateName);
            }
            catch (InvalidDataException e)
            {
                args.Error(e.Message);
            }
        }
        if (sort is not ("objective" or "id" or "-id"))
            args.Error($"sort must be objective, id or -id, got '{sort}'");
        var filters = new Dictionary<string, string>();
        if (where is { } w)
        {
            foreach (var property in w.EnumerateObject())
            {
                if (_study.Agenda.FindKnob(property.Name) is not { } knob)
                    args.Error($"where: '{property.Name}' is not a knob of this agenda");
                else if (args.Scalar($"where.{property.Name}", property.Value) is { } text)
                    filters[property.Name] = knob.Normalize(text).Text ?? text;
            }
        }
        args.ThrowIfInvalid();

        var state = _study.State();
        var space = new Researchers.KnobSpace(_study);
        bool Matches(VariantResult v)
        {
            if (label is not null && v.Label != label)
                return false;
            var values = space.ValuesOf(v);
            return filters.All(f => values[f.Key] == f.Value);
        }
        var variants = state.Variants.Where(Matches).ToDictionary(v => v.Label);
        var table = new StringBuilder();
        if (grouped)
        {
            var rows = variants.Values.Where(v => runState is null || state.Runs.Any(r => r.Label == v.Label && r.State == runState));
            rows = sort switch
            {
                "id" => rows.OrderBy(v => v.FirstRunId),
                "-id" => rows.OrderByDescending(v => v.FirstRunId),
                _ => rows.OrderBy(v => v.Mean ?? double.PositiveInfinity).ThenBy(v => v.FirstRunId),
            };
            var list = rows.ToList();
            table.Append(CultureInfo.InvariantCulture, $"{list.Count} variants; rows {offset + 1}-{Math.Min(list.Count, offset + limit)}\n");
            table.Append(CultureInfo.InvariantCulture, $"label | seeds done/asked | lost | {_study.Objective} mean | vs baseline | changes\n");
            foreach (var v in list.Skip(offset).Take(limit))
            {
                var effect = v.VersusBaseline is { } e ? EffectText.Describe(e) : "-";
                table.Append(CultureInfo.InvariantCulture, $"{v.Label} | {v.Sample.Count}/{v.Seeds.Count} | {v.Lost} | {Number(v.Mean)} | {effect} | {Changes(v.Knobs)}\n");
            }
            return table.ToString();
        }

        var runs = state.Runs.Where(r => variants.ContainsKey(r.Label) && (runState is null || r.State == runState));
        runs = sort switch
        {
            "id" => runs.OrderBy(r => r.Id),
            "-id" => runs.OrderByDescending(r => r.Id),
            _ => runs.OrderBy(r => r.Metric(_study.Objective) ?? double.PositiveInfinity).ThenBy(r => r.Id),
        };
        var selected = runs.ToList();
        table.Append(CultureInfo.InvariantCulture, $"{selected.Count} runs; rows {offset + 1}-{Math.Min(selected.Count, offset + limit)}\n");
        table.Append(CultureInfo.InvariantCulture, $"id | label | seed | state | {_study.Objective} | step | changes\n");
        foreach (var r in selected.Skip(offset).Take(limit))
            table.Append(CultureInfo.InvariantCulture, $"{r.Id} | {r.Label} | {r.Seed} | {r.State.ToName()} | {Number(r.Metric(_study.Objective))} | {r.Step}/{r.TotalSteps?.ToString(CultureInfo.InvariantCulture) ?? "?"} | {Changes(r.Knobs)}\n");
        return table.ToString();
    }

    private string GetRun(JsonElement input)
    {
        var args = new ToolArguments(input, "id");
        var id = args.Integer("id", 1, long.MaxValue, required: true);
        args.ThrowIfInvalid();
        var run = _study.Store.GetRun(id!.Value);
        if (run is null || run.StudyId != _study.Study.Id)
            throw new ToolInputException($"no run with id {id} in this study; query_runs lists them");
        var points = _study.Store.GetMetrics(run.Id);
        var evals = points.Where(p => p.ValLoss is not null).ToList();
        var train = points.Where(p => p.TrainLoss is not null).ToList();
        var every = Math.Max(1, (int)Math.Ceiling(train.Count / (double)CurvePoints));
        var hypothesis = Hypotheses(_study.ReadJournal()).GetValueOrDefault(run.Label);
        using var recipe = JsonDocument.Parse(run.Recipe!);
        var node = new JsonObject
        {
            ["id"] = run.Id,
            ["label"] = run.Label,
            ["seed"] = run.Seed,
            ["state"] = run.State.ToName(),
            ["hypothesis"] = hypothesis,
            ["changes"] = JsonSerializer.SerializeToNode(run.Knobs),
            ["step"] = run.Step,
            ["total_steps"] = run.TotalSteps,
            ["tokens"] = run.Tokens,
            ["flops"] = run.Flops,
            ["params"] = run.Parameters,
            ["train_loss"] = run.TrainLoss,
            ["val_loss"] = run.ValLoss,
            ["val_bpb"] = run.ValBpb,
            ["tokens_per_second"] = run.TokensPerSecond is { } tps ? Math.Round(tps) : null,
            ["train_seconds"] = run.TrainSeconds is { } s ? Math.Round(s, 1) : null,
            ["reason"] = run.Reason,
            ["error"] = run.Error,
            ["validation_curve"] = new JsonArray(evals.Select(p => (JsonNode)new JsonArray(p.Step, Round(p.ValLoss), Round(p.ValBpb))).ToArray()),
            ["train_loss_curve"] = new JsonArray(train.Where((_, i) => i % every == 0 || i == train.Count - 1).Select(p => (JsonNode)new JsonArray(p.Step, Round(p.TrainLoss))).ToArray()),
            ["recipe"] = JsonNode.Parse(recipe.RootElement.GetRawText()),
        };
        return node.ToJsonString(Compact);
    }

    private string ProposeExperiments(JsonElement input)
    {
        var args = new ToolArguments(input, "experiments");
        var items = args.Array("experiments", required: true);
        args.ThrowIfInvalid();
        if (items!.Count == 0)
            throw new ToolInputException("experiments is empty: give at least one {hypothesis, changes}");
        var proposals = new List<ExperimentProposal?>();
        var errors = new Dictionary<int, string>();
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                proposals.Add(ReadProposal(items[i]));
            }
            catch (ToolInputException e)
            {
                proposals.Add(null);
                errors[i] = e.Message;
            }
        }
        var valid = proposals.Where(p => p is not null).Select(p => p!).ToList();
        var results = valid.Count == 0 ? [] : _study.Propose(valid, _author);
        RunsQueued += results.Sum(r => r.RunIds.Count);
        var merged = new JsonArray();
        var next = 0;
        for (var i = 0; i < proposals.Count; i++)
        {
            var result = proposals[i] is null ? new ProposalResult(i, null, [], [], errors[i]) : results[next++] with { Index = i };
            merged.Add(JsonSerializer.SerializeToNode(result.Accepted
                ? new { index = i, queued = result.Label, run_ids = result.RunIds, seeds = result.Seeds }
                : (object)new { index = i, refused = result.Error }));
        }
        var state = _study.State();
        return new JsonObject
        {
            ["results"] = merged,
            ["budget_spent"] = state.Budget.Describe(),
            ["runs_you_can_still_add"] = RunsLeft(state.Budget),
        }.ToJsonString(Compact);
    }

    private ExperimentProposal ReadProposal(JsonElement item)
    {
        var args = new ToolArguments(item, "hypothesis", "changes", "seeds", "budget");
        // A missing hypothesis is reported by the study together with every problem in the changes.
        var hypothesis = args.String("hypothesis") ?? "";
        var changes = args.Object("changes", required: true);
        var seeds = args.Integer("seeds", 1, _study.Agenda.Constraints.MaxSeeds);
        var budget = args.Object("budget");
        var values = new Dictionary<string, string>();
        if (changes is { } c)
        {
            foreach (var property in c.EnumerateObject())
            {
                if (args.Scalar($"changes.{property.Name}", property.Value) is { } text)
                    values[property.Name] = text;
            }
        }
        (string, double)? perRun = null;
        if (budget is { } b)
        {
            var units = b.EnumerateObject().ToList();
            if (units.Count != 1 || units[0].Value.ValueKind != JsonValueKind.Number)
                args.Error("budget must be one unit and a number, e.g. {\"tokens\": 100000}");
            else
                perRun = (units[0].Name, units[0].Value.GetDouble());
        }
        args.ThrowIfInvalid();
        return new ExperimentProposal(hypothesis, values, (int?)seeds, perRun);
    }

    private string CompareRuns(JsonElement input)
    {
        var args = new ToolArguments(input, "a", "b");
        var a = args.RunOrLabel("a", required: true);
        var b = args.RunOrLabel("b", required: true);
        args.ThrowIfInvalid();
        var comparison = _study.Compare(a!, b!);
        return JsonSerializer.Serialize(new
        {
            validation = comparison.Validation,
            test = comparison.Test,
            noise_floor = comparison.NoiseFloor,
            summary = $"{comparison.Validation.Variant} vs {comparison.Validation.Baseline}: {comparison.Validation.Metric} {EffectText.Describe(comparison.Validation)}",
        }, Compact);
    }

    private string RecordFinding(JsonElement input)
    {
        var args = new ToolArguments(input, "statement", "variant", "versus");
        var statement = args.String("statement", required: true);
        var variant = args.String("variant", required: true);
        var versus = args.String("versus") ?? ResearchStudy.BaselineLabel;
        args.ThrowIfInvalid();
        var (entry, evidence) = _study.RecordFinding(statement!, variant!, versus);
        return JsonSerializer.Serialize(new
        {
            recorded = entry.Text,
            effect = $"{evidence.Validation.Metric} {EffectText.Describe(evidence.Validation)}",
            note = evidence.Validation.ClearsNoiseFloor ? null : "this effect does not clear the noise floor; say so in the statement or gather more seeds",
        }, Compact);
    }

    private static string ProposeSchema(Agenda agenda, Recipe baseline)
    {
        var knobs = new JsonObject();
        foreach (var knob in agenda.Knobs)
        {
            knobs[knob.Path] = knob.IsNumeric
                ? new JsonObject
                {
                    ["type"] = knob.IsInteger ? "integer" : "number",
                    ["minimum"] = knob.Min,
                    ["maximum"] = knob.Max,
                    ["description"] = knob.IsLog ? "spread on a log scale" : null,
                }
                : new JsonObject { ["enum"] = new JsonArray(knob.Choices.Select(c => (JsonNode)c).ToArray()) };
        }
        var unit = baseline.Budget.Steps is not null ? "steps" : baseline.Budget.Tokens is not null ? "tokens" : baseline.Budget.Flops is not null ? "flops" : "seconds";
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["experiments"] = new JsonObject
                {
                    ["type"] = "array",
                    ["minItems"] = 1,
                    ["maxItems"] = agenda.Constraints.MaxExperiments,
                    ["items"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["hypothesis"] = new JsonObject { ["type"] = "string", ["description"] = "what the change should do and why, one sentence" },
                            ["changes"] = new JsonObject { ["type"] = "object", ["properties"] = knobs, ["additionalProperties"] = false },
                            ["seeds"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = agenda.Constraints.MaxSeeds },
                            ["budget"] = new JsonObject
                            {
                                ["type"] = "object",
                                ["description"] = $"a smaller per-run budget, in {unit}",
                                ["properties"] = new JsonObject { [unit] = new JsonObject { ["type"] = "number", ["exclusiveMinimum"] = 0 } },
                                ["additionalProperties"] = false,
                            },
                        },
                        ["required"] = new JsonArray("hypothesis", "changes"),
                        ["additionalProperties"] = false,
                    },
                },
            },
            ["required"] = new JsonArray("experiments"),
            ["additionalProperties"] = false,
        };
        return schema.ToJsonString();
    }

    private string PerRunBudget()
    {
        var b = _study.Baseline.Budget;
        var unit = b.Steps is { } s ? $"{s} steps" : b.Tokens is { } t ? $"{t} tokens" : b.Flops is { } f ? $"{f:E2} FLOPs" : $"{b.Seconds} seconds";
        return string.Create(CultureInfo.InvariantCulture, $"{unit} per run ({_study.BaselineCost.Flops:E2} FLOPs for the baseline)");
    }

    private int RunsLeft(BudgetStatus budget)
    {
        var left = int.MaxValue;
        var cost = _study.BaselineCost;
        var reserve = _study.ReserveRuns;
        if (budget.Limit.Runs is { } r)
            left = Math.Min(left, r - budget.Runs - reserve);
        if (budget.Limit.Flops is { } f && cost.Flops > 0)
            left = Math.Min(left, (int)Math.Floor((f - budget.Flops) / cost.Flops) - reserve);
        if (budget.Limit.Tokens is { } t && cost.Tokens > 0)
            left = Math.Min(left, (int)Math.Floor((t - budget.Tokens) / cost.Tokens) - reserve);
        if (budget.OutOfTime)
            left = 0;
        return Math.Max(0, left == int.MaxValue ? 9999 : left);
    }

    private JsonObject Variant(VariantResult v, IReadOnlyDictionary<string, string> hypotheses) => new()
    {
        ["label"] = v.Label,
        ["changes"] = Changes(v.Knobs),
        ["result"] = EffectText.Describe(v, _study.Objective),
        ["pending_runs"] = v.Pending > 0 ? v.Pending : null,
        ["hypothesis"] = hypotheses.GetValueOrDefault(v.Label),
    };

    private string Flat(string path) => RecipeDifference.Flatten(_study.Baseline).GetValueOrDefault(path) ?? "?";

    private static Dictionary<string, string> Hypotheses(IReadOnlyList<JournalEntry> journal)
    {
        var map = new Dictionary<string, string>();
        foreach (var entry in journal.Where(e => e.Kind == ResearchJournal.Hypothesis))
        {
            if (ResearchJournal.ParseHypothesis(entry.Text) is { } h)
                map.TryAdd(h.Label, h.Hypothesis);
        }
        return map;
    }

    private static JsonArray Texts(IReadOnlyList<JournalEntry> journal, string kind) =>
        new(journal.Where(e => e.Kind == kind).TakeLast(StateListSize).Select(e => (JsonNode)e.Text).ToArray());

    private static string Changes(IReadOnlyDictionary<string, string> knobs) =>
        knobs.Count == 0 ? "none (baseline)" : string.Join(", ", knobs.Select(k => $"{k.Key}={k.Value}"));

    private static string Number(double? x) => x is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "-";

    private static double? Round(double? x) => x is { } v ? Math.Round(v, 5) : null;

    private static string Cap(string text) =>
        text.Length <= MaxResultCharacters ? text : text[..MaxResultCharacters] + "\n(truncated: narrow the query or page with offset)";

    private static ToolResult Error(string message) => new(JsonSerializer.Serialize(new { error = Secrets.Scrub(message) }, Compact), IsError: true);
}
