using System.Globalization;
using PretrainLab.Lab.Recipes;
using YamlDotNet.RepresentationModel;

namespace PretrainLab.Lab.Studies;

/// <summary>
/// Reads a study file (YAML) into a <see cref="StudySpec"/>, reporting every problem at once as a
/// <see cref="RecipeException"/> whose errors name the key and line.
/// </summary>
/// <remarks>
/// <code>
/// name: lr-and-width             # default: the file name
/// baseline: recipes/tiny.yaml    # relative to this file
/// seeds: 3                       # the baseline's seed and the next two; or a list: [1, 2, 3]
/// objective: val_bpb             # or val_loss; lower is better
/// set: [train.threads=1]         # overrides for every run (a list, or a mapping path: value)
/// budget: {steps: 400}           # replaces every recipe's budget
/// variants:                      # each trained with every seed, compared with the baseline
///   - {label: lr-3e-3, set: [optim.lr=3e-3]}
///   - {label: relu2, set: {model.activation: relu2}}
/// grid:                          # instead of variants: every combination is a variant
///   optim.lr: [1e-3, 3e-3]
/// recipes: [a.yaml, b.yaml]      # instead of variants: whole recipes; the first is the baseline unless one is named
/// halving: {eta: 2, min_fraction: 0.25}   # successive halving (ASHA); default off
/// early_stopping: {min_fraction: 0.25, min_finished: 3}   # or the median stopping rule; default off
/// test_data: data/test.txt       # evaluated on finished runs, reported separately
/// max_attempts: 3                # worker crashes a run survives before it is failed
/// </code>
/// </remarks>
public static class StudyFile
{
    /// <summary>The baseline's label when it comes from <c>baseline:</c>.</summary>
    public const string BaselineLabel = "baseline";

    private static readonly string[] Keys =
        ["name", "baseline", "seeds", "objective", "set", "budget", "variants", "grid", "recipes", "halving", "early_stopping", "test_data", "max_attempts"];

    /// <summary>Reads the study file at <paramref name="path"/>.</summary>
    /// <exception cref="RecipeException">The file is missing, malformed or invalid.</exception>
    public static StudySpec Load(string path) => YamlFileReader.Load(path, "study file", Parse);

    /// <summary>Parses study file text; relative paths in it are against <paramref name="baseDirectory"/>.</summary>
    /// <exception cref="RecipeException">The text is malformed or invalid.</exception>
    public static StudySpec Parse(string text, string baseDirectory, string sourceName, string defaultName, string? sourcePath = null)
    {
        var reader = new Reader(sourceName, baseDirectory);
        return reader.Checked(reader.Read(text, defaultName, sourcePath));
    }

    private sealed class Reader(string source, string baseDirectory) : YamlFileReader(source, baseDirectory)
    {
        public StudySpec? Read(string text, string defaultName, string? sourcePath)
        {
            var root = LoadMapping(text, "expected a mapping of study keys", notAMappingLine: null);
            if (root is null)
                return null;
            var values = KnownKeys(root, Keys);

            var name = values.TryGetValue("name", out var n) ? Scalar(n, "name") : defaultName;
            if (name is not null && (name.Length == 0 || name.Any(char.IsWhiteSpace)))
                Error("name", $"must be a non-empty name without spaces, got '{name}'", n ?? root);
            var objective = values.TryGetValue("objective", out var o) ? Scalar(o, "objective") : "val_bpb";
            if (objective is not null && !StudySpec.Objectives.Contains(objective))
                Error("objective", $"expected one of {string.Join(", ", StudySpec.Objectives)}, got '{objective}'", o!);
            var maxAttempts = values.TryGetValue("max_attempts", out var m) ? Integer(m, "max_attempts", min: 1) : 3;
            var testData = values.TryGetValue("test_data", out var t) ? ExistingFile(t, "test_data") : null;
            var halving = values.TryGetValue("halving", out var h) ? Halving(h) : null;
            var earlyStopping = values.TryGetValue("early_stopping", out var es) ? EarlyStopping(es) : null;
            if (halving is not null && earlyStopping is not null)
                Error("early_stopping", "give halving or early_stopping, not both: halving already stops the variants that fall behind", es!);
            var shared = new List<string>();
            if (values.TryGetValue("set", out var set))
                shared.AddRange(Overrides(set, "set"));
            if (values.TryGetValue("budget", out var budget))
                shared.AddRange(Overrides(budget, "budget", prefix: "budget."));

            var variants = Variants(values, shared, root);
            var seeds = values.TryGetValue("seeds", out var s) ? Seeds(s, variants) : [];
            if (!values.ContainsKey("seeds"))
                Errors.Add(new RecipeError("seeds", "required: how many seeds (or which) every variant is trained with", Source));
            if (Errors.Count > 0 || name is null || objective is null || variants.Count == 0)
                return null;
            return new StudySpec
            {
                Name = name,
                Objective = objective,
                Seeds = seeds,
                Baseline = variants[0].Label,
                Variants = variants,
                Halving = halving,
                EarlyStopping = earlyStopping,
                TestData = testData,
                MaxAttempts = maxAttempts ?? 3,
                Source = sourcePath,
            };
        }

        private List<StudyVariant> Variants(Dictionary<string, YamlNode> values, List<string> shared, YamlNode root)
        {
            var forms = new[] { "variants", "grid", "recipes" }.Where(values.ContainsKey).ToList();
            if (forms.Count > 1)
                Error(forms[1], $"give one of variants, grid or recipes, not {string.Join(" and ", forms)}", values[forms[1]]);
            var baselinePath = values.TryGetValue("baseline", out var b) ? ExistingFile(b, "baseline") : null;
            if (!values.ContainsKey("baseline") && !values.ContainsKey("recipes"))
            {
                Error("baseline", "required: the recipe every variant starts from (or give recipes)", root);
                return [];
            }

            var variants = new List<StudyVariant>();
            if (baselinePath is not null)
                variants.Add(new StudyVariant(BaselineLabel, baselinePath, shared));
            else if (values.ContainsKey("baseline"))
                return [];

            if (values.TryGetValue("variants", out var list))
                ReadVariantList(list, baselinePath, shared, variants);
            else if (values.TryGetValue("grid", out var grid))
                ReadGrid(grid, baselinePath, shared, variants);
            else if (values.TryGetValue("recipes", out var recipes))
                ReadRecipes(recipes, shared, variants);

            foreach (var duplicate in variants.GroupBy(v => v.Label).Where(g => g.Count() > 1))
                Errors.Add(new RecipeError("variants", $"label '{duplicate.Key}' is used twice", Source));
            return variants;
        }

        private void ReadVariantList(YamlNode node, string? baselinePath, List<string> shared, List<StudyVariant> variants)
        {
            if (node is not YamlSequenceNode sequence)
            {
                Error("variants", "expected a list of {label, set}", node);
                return;
            }
            foreach (var item in sequence)
            {
                if (item is not YamlMappingNode map)
                {
                    Error("variants", "expected a mapping with label and set", item);
                    continue;
                }
                string? label = null;
                var overrides = new List<string>();
                foreach (var (k, v) in map.Children)
                {
                    switch ((k as YamlScalarNode)?.Value)
                    {
                        case "label":
                            label = Scalar(v, "variants.label");
                            break;
                        case "set":
                            overrides.AddRange(Overrides(v, "variants.set"));
                            break;
                        default:
                            Error("variants", $"unknown key '{k}'; a variant has label and set", k);
                            break;
                    }
                }
                if (label is null or "")
                    Error("variants.label", "required", item);
                else if (baselinePath is not null)
                    variants.Add(new StudyVariant(label, baselinePath, [.. shared, .. overrides]));
            }
        }

        private void ReadGrid(YamlNode node, string? baselinePath, List<string> shared, List<StudyVariant> variants)
        {
            if (node is not YamlMappingNode map || map.Children.Count == 0)
            {
                Error("grid", "expected a mapping of dotted.path: [values]", node);
                return;
            }
            var axes = new List<(string Path, List<string> Values)>();
            foreach (var (k, v) in map.Children)
            {
                var path = (k as YamlScalarNode)?.Value ?? "";
                if (v is not YamlSequenceNode values || values.Children.Count == 0 || values.Any(x => x is not YamlScalarNode))
                {
                    Error($"grid.{path}", "expected a non-empty list of values", v);
                    continue;
                }
                axes.Add((path, values.Select(x => ((YamlScalarNode)x).Value ?? "").ToList()));
            }
            IEnumerable<List<(string Path, string Value)>> points = [[]];
            foreach (var (path, values) in axes)
                points = points.SelectMany(p => values.Select(v => new List<(string, string)>(p) { (path, v) }));
            if (baselinePath is null)
                return;
            foreach (var point in points)
            {
                var label = string.Join(",", point.Select(p => $"{p.Path}={p.Value}"));
                variants.Add(new StudyVariant(label, baselinePath, [.. shared, .. point.Select(p => $"{p.Path}={p.Value}")], GridPoint: true));
            }
        }

        private void ReadRecipes(YamlNode node, List<string> shared, List<StudyVariant> variants)
        {
            if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
            {
                Error("recipes", "expected a non-empty list of recipe files", node);
                return;
            }
            foreach (var item in sequence)
            {
                if (ExistingFile(item, "recipes") is not { } path)
                    continue;
                var label = Path.GetFileNameWithoutExtension(path);
                // A recipe that is also the baseline file is the baseline, not a second arm.
                if (variants.Count > 0 && variants[0].Recipe == path)
                    continue;
                variants.Add(new StudyVariant(label, path, shared));
            }
        }

        private HalvingSpec? Halving(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error("halving", "expected a mapping {eta, min_fraction}", node);
                return null;
            }
            var eta = 2;
            var minFraction = 0.25;
            foreach (var (k, v) in map.Children)
            {
                switch ((k as YamlScalarNode)?.Value)
                {
                    case "eta":
                        eta = Integer(v, "halving.eta", min: 2) ?? eta;
                        break;
                    case "min_fraction":
                        var text = Scalar(v, "halving.min_fraction");
                        if (text is not null && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out minFraction) || minFraction <= 0 || minFraction > 1))
                            Error("halving.min_fraction", $"expected a number in (0, 1], got '{text}'", v);
                        break;
                    default:
                        Error("halving", $"unknown key '{k}'; halving has eta and min_fraction", k);
                        break;
                }
            }
            return new HalvingSpec(eta, minFraction);
        }

        private EarlyStoppingSpec? EarlyStopping(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error("early_stopping", "expected a mapping {min_fraction, min_finished}", node);
                return null;
            }
            var minFraction = 0.25;
            var minFinished = 3;
            foreach (var (k, v) in map.Children)
            {
                switch ((k as YamlScalarNode)?.Value)
                {
                    case "min_fraction":
                        var text = Scalar(v, "early_stopping.min_fraction");
                        if (text is not null && (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out minFraction) || minFraction <= 0 || minFraction >= 1))
                            Error("early_stopping.min_fraction", $"expected a number in (0, 1), got '{text}'", v);
                        break;
                    case "min_finished":
                        minFinished = Integer(v, "early_stopping.min_finished", min: 1) ?? minFinished;
                        break;
                    default:
                        Error("early_stopping", $"unknown key '{k}'; early_stopping has min_fraction and min_finished", k);
                        break;
                }
            }
            return new EarlyStoppingSpec(minFraction, minFinished);
        }

        private List<int> Seeds(YamlNode node, List<StudyVariant> variants)
        {
            if (node is YamlSequenceNode list)
            {
                var seeds = list.Select(x => Integer(x, "seeds", min: 0)).OfType<int>().ToList();
                if (seeds.Count == 0 || seeds.Distinct().Count() != seeds.Count)
                    Error("seeds", "expected a non-empty list of distinct seeds", node);
                return seeds;
            }
            if (Integer(node, "seeds", min: 1) is not { } count || variants.Count == 0)
                return [];
            // A count starts at the baseline's own seed, so the first replicate is the baseline as written.
            try
            {
                var first = RecipeLoader.Load(variants[0].Recipe, variants[0].Overrides, checkFiles: false).Seed;
                return Enumerable.Range(first, count).ToList();
            }
            catch (RecipeException e)
            {
                Errors.AddRange(e.Errors);
                return [];
            }
        }
    }
}
