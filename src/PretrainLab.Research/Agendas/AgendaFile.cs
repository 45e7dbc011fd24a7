using System.Globalization;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Studies;
using YamlDotNet.RepresentationModel;

namespace PretrainLab.Research.Agendas;

/// <summary>
/// Reads a research agenda: Markdown whose YAML front matter says what to improve and within which bounds, and whose
/// body is free-text guidance for the researcher. Every problem is reported at once as a <see cref="RecipeException"/>
/// whose errors name the key and the file's line; the baseline recipe and every knob bound are loaded and validated
/// as recipes, so an agenda that loads never proposes a run the lab would refuse for a bound alone.
/// </summary>
/// <remarks>
/// <code>
/// ---
/// name: shakespeare-lr                       # default: the file name
/// objective: {metric: val_bpb, direction: minimize}
/// baseline: ../recipes/tiny.yaml             # relative to the agenda
/// set: [train.threads=1]                     # every run (list or mapping)
/// per_run: {flops: 2e13}                     # every run's budget: one of steps, tokens, flops, seconds
/// budget: {runs: 30, flops: 6e14, hours: 1}  # the whole study: any of flops, tokens, runs, hours
/// seeds: {noise: 3, experiment: 1, confirm: 3}
/// knobs:
///   optim.lr: {type: log_float, min: 1e-4, max: 1e-2}
///   model.n_layer: {type: int, min: 1, max: 4}
///   model.activation: [gelu, relu2]          # a list is categorical
/// constraints: {max_params: 2e6, max_seeds: 3, max_experiments: 8}
/// test_data: ../data/test.txt                # reported only, never used to decide
/// researcher: {model: claude-sonnet-4-5, max_cost_usd: 5}
/// ---
/// Free-text guidance for the researcher.
/// </code>
/// </remarks>
public static class AgendaFile
{
    /// <summary>The most guidance text an agenda may carry, so that every prompt stays bounded.</summary>
    public const int MaxGuidanceCharacters = 20_000;

    private static readonly string[] Keys =
        ["name", "objective", "baseline", "set", "per_run", "budget", "seeds", "knobs", "constraints", "test_data", "researcher", "max_attempts"];

    // Keys the researcher may never change: identity and seeds are the lab's, the budget is the agenda's, and data and
    // evaluation define the metric every run is compared on.
    private static readonly string[] FencedPrefixes = ["name", "seed", "budget.", "data.", "eval."];

    /// <summary>Reads the agenda at <paramref name="path"/>.</summary>
    /// <exception cref="RecipeException">The file is missing, malformed or invalid.</exception>
    public static Agenda Load(string path) => YamlFileReader.Load(path, "agenda file", Parse);

    /// <summary>Parses agenda text; relative paths in it are against <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="RecipeException">The text is malformed or invalid.</exception>
    public static Agenda Parse(string text, string baseDirectory, string sourceName, string defaultName, string? sourcePath = null)
    {
        var reader = new Reader(sourceName, baseDirectory);
        return reader.Checked(reader.Read(text, defaultName, sourcePath));
    }

    /// <summary>Why the researcher may not change <paramref name="path"/>, or null when it may be a knob.</summary>
    public static string? Fenced(string path) =>
        FencedPrefixes.Any(p => p.EndsWith('.') ? path.StartsWith(p, StringComparison.Ordinal) : path == p)
            ? $"'{path}' cannot be a knob: names, seeds, budgets, data and evaluation are fixed by the lab and the agenda"
            : null;

    private sealed class Reader(string source, string baseDirectory) : YamlFileReader(source, baseDirectory)
    {
        public Agenda? Read(string text, string defaultName, string? sourcePath)
        {
            var (frontMatter, guidance, offset) = Split(text.Replace("\r\n", "\n"));
            if (frontMatter is null)
            {
                Errors.Add(new RecipeError("", "expected YAML front matter between '---' lines at the top of the file", Source, 1));
                return null;
            }
            LineOffset = offset;
            var root = LoadMapping(frontMatter, "expected a mapping of agenda keys in the front matter", notAMappingLine: 1);
            if (root is null)
                return null;
            var values = KnownKeys(root, Keys);

            var name = values.TryGetValue("name", out var n) ? Scalar(n, "name") : defaultName;
            if (name is not null && (name.Length == 0 || name.Any(char.IsWhiteSpace)))
                Error("name", $"must be a non-empty name without spaces, got '{name}'", n ?? root);
            var objective = values.TryGetValue("objective", out var o) ? ReadObjective(o) : new Objective();
            var set = values.TryGetValue("set", out var s) ? Overrides(s, "set").ToList() : [];
            var perRun = values.TryGetValue("per_run", out var p) ? PerRun(p) : [];
            var budget = values.TryGetValue("budget", out var b) ? Budget(b) : null;
            if (!values.ContainsKey("budget"))
                Error("budget", "required: what the whole study may spend (any of flops, tokens, runs, hours)", root);
            var seeds = values.TryGetValue("seeds", out var sd) ? Seeds(sd) : new SeedPlan();
            var constraints = values.TryGetValue("constraints", out var c) ? Constraints(c) : new AgendaConstraints();
            if (seeds is not null && constraints is not null && constraints.MaxSeeds < Math.Max(seeds.Experiment, seeds.Confirm))
                Error("constraints.max_seeds", $"must be at least seeds.experiment and seeds.confirm ({Math.Max(seeds.Experiment, seeds.Confirm)})", c ?? root);
            var researcher = values.TryGetValue("researcher", out var r) ? Researcher(r) : new LlmSettings();
            var maxAttempts = values.TryGetValue("max_attempts", out var m) ? Integer(m, "max_attempts", 1) : 3;
            var testData = values.TryGetValue("test_data", out var t) ? ExistingFile(t, "test_data") : null;
            var baselinePath = values.TryGetValue("baseline", out var bp) ? ExistingFile(bp, "baseline") : null;
            if (!values.ContainsKey("baseline"))
                Error("baseline", "required: the recipe every experiment starts from", root);

            Recipe? baseline = null;
            if (baselinePath is not null)
            {
                try
                {
                    baseline = RecipeLoader.Load(baselinePath, [.. set, .. perRun]);
                }
                catch (RecipeException e)
                {
                    Errors.AddRange(e.Errors.Select(x => x with { Source = $"baseline ({x.Source ?? Path.GetFileName(baselinePath)})" }));
                }
            }
            if (baseline is not null && budget is not null && (budget.Flops is not null || budget.Tokens is not null) && baseline.Budget.Seconds is not null)
                Error("per_run", "a study budget in flops or tokens needs runs with a steps, tokens or flops budget, not seconds", p ?? b!);
            var knobs = values.TryGetValue("knobs", out var k) ? Knobs(k, baseline) : [];
            if (!values.ContainsKey("knobs"))
                Error("knobs", "required: the recipe keys the researcher may change, with their bounds", root);

            guidance = guidance.Trim();
            if (guidance.Length > MaxGuidanceCharacters)
                Errors.Add(new RecipeError("guidance", $"is {guidance.Length} characters; keep it under {MaxGuidanceCharacters} so every prompt stays bounded", Source));

            if (Errors.Count > 0 || name is null || objective is null || baselinePath is null || budget is null || seeds is null
                || constraints is null || researcher is null || maxAttempts is null)
                return null;
            return new Agenda
            {
                Name = name,
                Objective = objective,
                Baseline = baselinePath,
                Set = set,
                PerRun = perRun,
                Budget = budget,
                Seeds = seeds,
                Knobs = knobs,
                Constraints = constraints,
                TestData = testData,
                Researcher = researcher,
                MaxAttempts = maxAttempts.Value,
                Guidance = guidance,
                Source = sourcePath,
            };
        }

        private static (string? FrontMatter, string Body, int LineOffset) Split(string text)
        {
            var lines = text.Split('\n');
            var first = 0;
            while (first < lines.Length && lines[first].Trim().Length == 0)
                first++;
            if (first >= lines.Length || lines[first].TrimEnd() != "---")
                return (null, text, 0);
            for (var i = first + 1; i < lines.Length; i++)
            {
                if (lines[i].TrimEnd() is "---" or "...")
                    return (string.Join('\n', lines[(first + 1)..i]), string.Join('\n', lines[(i + 1)..]), first + 1);
            }
            return (null, text, 0);
        }

        private Objective? ReadObjective(YamlNode node)
        {
            string? metric = null, direction = "minimize";
            if (node is YamlScalarNode)
                metric = Scalar(node, "objective");
            else if (node is YamlMappingNode map)
            {
                metric = "val_bpb";
                foreach (var (k, v) in map.Children)
                {
                    switch ((k as YamlScalarNode)?.Value)
                    {
                        case "metric":
                            metric = Scalar(v, "objective.metric");
                            break;
                        case "direction":
                            direction = Scalar(v, "objective.direction");
                            break;
                        default:
                            Error("objective", $"unknown key '{k}'; an objective has metric and direction", k);
                            break;
                    }
                }
            }
            else
            {
                Error("objective", "expected a metric name or {metric, direction}", node);
                return null;
            }
            if (metric is not null && !StudySpec.Objectives.Contains(metric))
                Error("objective.metric", $"expected one of {string.Join(", ", StudySpec.Objectives)}, got '{metric}'", node);
            if (direction is not null && direction != "minimize")
                Error("objective.direction", $"{metric} is a loss: lower is better, so the direction is minimize, got '{direction}'", node);
            return metric is null || direction is null ? null : new Objective(metric, direction);
        }

        private List<string> PerRun(YamlNode node)
        {
            if (node is not YamlMappingNode map || map.Children.Count != 1)
            {
                Error("per_run", "expected one of {steps: N}, {tokens: N}, {flops: N}, {seconds: N}", node);
                return [];
            }
            var (k, v) = map.Children.Single();
            var key = (k as YamlScalarNode)?.Value;
            if (key is not ("steps" or "tokens" or "flops" or "seconds"))
            {
                Error("per_run", $"unknown budget '{key}'; expected steps, tokens, flops or seconds", k);
                return [];
            }
            return Scalar(v, $"per_run.{key}") is { } value ? [$"budget.{key}={value}"] : [];
        }

        private ResearchBudget? Budget(YamlNode node)
        {
            if (node is not YamlMappingNode map || map.Children.Count == 0)
            {
                Error("budget", "expected a mapping with any of flops, tokens, runs, hours", node);
                return null;
            }
            var budget = new ResearchBudget();
            foreach (var (k, v) in map.Children)
            {
                var key = (k as YamlScalarNode)?.Value;
                switch (key)
                {
                    case "flops":
                        budget = budget with { Flops = Positive(v, "budget.flops") };
                        break;
                    case "tokens":
                        budget = budget with { Tokens = Positive(v, "budget.tokens") };
                        break;
                    case "runs":
                        budget = budget with { Runs = Integer(v, "budget.runs", 1) };
                        break;
                    case "hours":
                        budget = budget with { Hours = Positive(v, "budget.hours") };
                        break;
                    default:
                        Error("budget", $"unknown limit '{key}'; expected flops, tokens, runs or hours", k);
                        break;
                }
            }
            return budget;
        }

        private SeedPlan? Seeds(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error("seeds", "expected {noise, experiment, confirm}", node);
                return null;
            }
            var plan = new SeedPlan();
            foreach (var (k, v) in map.Children)
            {
                switch ((k as YamlScalarNode)?.Value)
                {
                    case "noise":
                        plan = plan with { Noise = Integer(v, "seeds.noise", 2) ?? plan.Noise };
                        break;
                    case "experiment":
                        plan = plan with { Experiment = Integer(v, "seeds.experiment", 1) ?? plan.Experiment };
                        break;
                    case "confirm":
                        plan = plan with { Confirm = Integer(v, "seeds.confirm", 1) ?? plan.Confirm };
                        break;
                    default:
                        Error("seeds", $"unknown key '{k}'; seeds has noise, experiment and confirm", k);
                        break;
                }
            }
            if (plan.Confirm < plan.Experiment)
                Error("seeds.confirm", $"must be at least seeds.experiment ({plan.Experiment})", node);
            return plan;
        }

        private AgendaConstraints? Constraints(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error("constraints", "expected {max_params, max_seeds, max_experiments}", node);
                return null;
            }
            var constraints = new AgendaConstraints();
            foreach (var (k, v) in map.Children)
            {
                switch ((k as YamlScalarNode)?.Value)
                {
                    case "max_params":
                        constraints = constraints with { MaxParams = Positive(v, "constraints.max_params") is { } x ? (long)x : null };
                        break;
                    case "max_seeds":
                        constraints = constraints with { MaxSeeds = Integer(v, "constraints.max_seeds", 1) ?? constraints.MaxSeeds };
                        break;
                    case "max_experiments":
                        constraints = constraints with { MaxExperiments = Integer(v, "constraints.max_experiments", 1) ?? constraints.MaxExperiments };
                        break;
                    default:
                        Error("constraints", $"unknown key '{k}'; constraints has max_params, max_seeds and max_experiments", k);
                        break;
                }
            }
            return constraints;
        }

        private LlmSettings? Researcher(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error("researcher", "expected a mapping such as {model: claude-sonnet-4-5, max_cost_usd: 5}", node);
                return null;
            }
            var settings = new LlmSettings();
            foreach (var (k, v) in map.Children)
            {
                var key = (k as YamlScalarNode)?.Value;
                var path = $"researcher.{key}";
                settings = key switch
                {
                    "model" => settings with { Model = Scalar(v, path) ?? settings.Model },
                    "max_output_tokens" => settings with { MaxOutputTokens = Integer(v, path, 256) ?? settings.MaxOutputTokens },
                    "max_tool_rounds" => settings with { MaxToolRounds = Integer(v, path, 1) ?? settings.MaxToolRounds },
                    "max_tokens" => settings with { MaxTokens = Positive(v, path) is { } x ? (long)x : null },
                    "max_cost_usd" => settings with { MaxCostUsd = Positive(v, path) },
                    "input_usd_per_million" => settings with { InputUsdPerMillion = NonNegative(v, path) ?? settings.InputUsdPerMillion },
                    "output_usd_per_million" => settings with { OutputUsdPerMillion = NonNegative(v, path) ?? settings.OutputUsdPerMillion },
                    _ => Unknown(k),
                };
            }
            return settings;

            LlmSettings Unknown(YamlNode k)
            {
                Error("researcher", $"unknown key '{k}'; expected model, max_output_tokens, max_tool_rounds, max_tokens, max_cost_usd, input_usd_per_million, output_usd_per_million", k);
                return settings;
            }
        }

        private List<Knob> Knobs(YamlNode node, Recipe? baseline)
        {
            if (node is not YamlMappingNode map || map.Children.Count == 0)
            {
                Error("knobs", "expected a mapping of dotted.path: {type, min, max} or dotted.path: [values]", node);
                return [];
            }
            var knobs = new List<Knob>();
            foreach (var (k, v) in map.Children)
            {
                var path = (k as YamlScalarNode)?.Value ?? "";
                if (Fenced(path) is { } fenced)
                {
                    Error($"knobs.{path}", fenced, k);
                    continue;
                }
                if (ReadKnob(path, v) is not { } knob)
                    continue;
                if (baseline is not null && CheckAgainstRecipe(knob, baseline, k))
                    knobs.Add(knob);
            }
            return knobs;
        }

        private Knob? ReadKnob(string path, YamlNode node)
        {
            var key = $"knobs.{path}";
            if (node is YamlSequenceNode list)
                return Categorical(key, path, list, node);
            if (node is not YamlMappingNode map)
            {
                Error(key, "expected {type: float|log_float|int|log_int, min, max}, {type: categorical, values: [...]} or a list of values", node);
                return null;
            }
            string? type = null;
            double? min = null, max = null;
            YamlSequenceNode? values = null;
            foreach (var (k, v) in map.Children)
            {
                switch ((k as YamlScalarNode)?.Value)
                {
                    case "type":
                        type = Scalar(v, $"{key}.type");
                        break;
                    case "min":
                        min = Number(v, $"{key}.min");
                        break;
                    case "max":
                        max = Number(v, $"{key}.max");
                        break;
                    case "values":
                        values = v as YamlSequenceNode;
                        if (values is null)
                            Error($"{key}.values", "expected a list of values", v);
                        break;
                    default:
                        Error(key, $"unknown key '{k}'; a knob has type, min and max, or type and values", k);
                        break;
                }
            }
            KnobKind? kind = type switch
            {
                "float" => KnobKind.Float,
                "log_float" => KnobKind.LogFloat,
                "int" => KnobKind.Int,
                "log_int" => KnobKind.LogInt,
                "categorical" => KnobKind.Categorical,
                null => values is not null ? KnobKind.Categorical : null,
                _ => null,
            };
            if (kind is null)
            {
                Error($"{key}.type", $"expected float, log_float, int, log_int or categorical, got '{type}'", node);
                return null;
            }
            if (kind == KnobKind.Categorical)
                return values is null ? Missing("values") : Categorical(key, path, values, node);
            if (min is null || max is null)
                return Missing(min is null ? "min" : "max");
            var knob = new Knob(path, kind.Value, min, max);
            if (!(min < max))
                Error(key, $"min ({Knob.Format(min.Value)}) must be below max ({Knob.Format(max.Value)})", node);
            else if (knob.IsLog && min <= 0)
                Error(key, $"a {Knob.KindName(kind.Value)} knob needs min > 0, got {Knob.Format(min.Value)}", node);
            else if (knob.IsInteger && (min != Math.Floor(min.Value) || max != Math.Floor(max.Value)))
                Error(key, "an integer knob needs integer bounds", node);
            else
                return knob;
            return null;

            Knob? Missing(string what)
            {
                Error(key, $"a {type ?? "categorical"} knob needs {what}", node);
                return null;
            }
        }

        private Knob? Categorical(string key, string path, YamlSequenceNode list, YamlNode node)
        {
            var values = list.Select(x => Scalar(x, key)).OfType<string>().ToList();
            if (values.Count < 2 || values.Distinct().Count() != values.Count)
            {
                Error(key, "a categorical knob needs at least two distinct values", node);
                return null;
            }
            return new Knob(path, KnobKind.Categorical, Values: values);
        }

        /// <summary>Loads the baseline with each bound or value of the knob; a value the recipe refuses is an agenda error.</summary>
        private bool CheckAgainstRecipe(Knob knob, Recipe baseline, YamlNode keyNode)
        {
            // The middle of a real-valued range is a fraction, which an integer key refuses: a float knob on one is caught.
            var probes = knob.IsNumeric
                ? new[] { knob.FromUnit(0), knob.FromUnit(1), knob.IsInteger ? null : knob.FromUnit(0.5) }.OfType<string>().Distinct().ToList()
                : knob.Choices;
            var json = baseline.ToJson();
            var ok = true;
            foreach (var value in probes)
            {
                try
                {
                    RecipeLoader.Parse(json, null, [$"{knob.Path}={value}"], checkFiles: false);
                }
                catch (RecipeException e)
                {
                    ok = false;
                    foreach (var error in e.Errors)
                        Error($"knobs.{knob.Path}", $"value {value}: {(error.Path == knob.Path ? error.Message : error.ToString())}", keyNode);
                }
            }
            return ok;
        }

        private double? Number(YamlNode node, string key)
        {
            var text = Scalar(node, key);
            if (text is null)
                return null;
            if (double.TryParse(text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x))
                return x;
            Error(key, $"expected a number, got '{text}'", node);
            return null;
        }

        private double? Positive(YamlNode node, string key)
        {
            var x = Number(node, key);
            if (x is not null and <= 0)
            {
                Error(key, $"must be > 0, got {Knob.Format(x.Value)}", node);
                return null;
            }
            return x;
        }

        private double? NonNegative(YamlNode node, string key)
        {
            var x = Number(node, key);
            if (x is not null and < 0)
            {
                Error(key, $"must be >= 0, got {Knob.Format(x.Value)}", node);
                return null;
            }
            return x;
        }
    }
}
