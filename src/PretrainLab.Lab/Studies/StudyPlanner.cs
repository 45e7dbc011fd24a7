using System.Text;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Studies;

/// <summary>Turns a <see cref="StudySpec"/> into stored runs: every variant with every seed, baseline first.</summary>
public static class StudyPlanner
{
    /// <summary>
    /// Loads and validates every run's recipe (all problems reported together), then creates the study and its queued
    /// runs in <paramref name="store"/>; run folders go under <paramref name="runsDirectory"/>.
    /// </summary>
    /// <exception cref="RecipeException">A variant's recipe is invalid, or two variants train the same recipe.</exception>
    /// <exception cref="StoreException">The study exists or the store fails.</exception>
    public static (StudyRecord Study, StudySpec Spec, IReadOnlyList<RunRecord> Runs) Create(ILabStore store, StudySpec spec, string runsDirectory)
    {
        if (store.FindStudy(spec.Name) is not null)
            throw new StoreException($"a study named '{spec.Name}' already exists in {store.Location}; choose another name");
        runsDirectory = Path.GetFullPath(runsDirectory);
        (spec, var runs) = Plan(spec, runsDirectory);
        var study = store.CreateStudy(new NewStudy(spec.Name, spec.Objective, spec.ToJson(), runsDirectory));
        var added = store.AddRuns(study.Id, runs);
        store.AddJournalEntry(study.Id, null, "event",
            $"study created: {spec.Variants.Count} variants x {spec.Seeds.Count} seeds = {runs.Count} runs; objective {spec.Objective}" +
            (spec.Halving is { } h ? $"; successive halving eta {h.Eta}, rungs {string.Join(", ", h.Fractions().Select(f => f.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)))} of the budget" : ""));
        return (study, spec, added);
    }

    /// <summary>
    /// The runs of <paramref name="spec"/>, each recipe loaded with its variant's overrides and seed, and the spec without
    /// grid points that repeat an earlier variant's recipe.
    /// </summary>
    /// <exception cref="RecipeException">A variant's recipe is invalid, or two variants train the same recipe.</exception>
    public static (StudySpec Spec, IReadOnlyList<NewRun> Runs) Plan(StudySpec spec, string runsDirectory)
    {
        var errors = new List<RecipeError>();
        var recipes = new List<(StudyVariant Variant, Recipe Recipe)>();
        foreach (var variant in spec.Variants)
        {
            try
            {
                recipes.Add((variant, RecipeLoader.Load(variant.Recipe, variant.Overrides)));
            }
            catch (RecipeException e)
            {
                errors.AddRange(e.Errors.Select(x => x with { Source = $"variant '{variant.Label}' ({x.Source ?? Path.GetFileName(variant.Recipe)})" }));
            }
        }
        var seen = new HashSet<string>();
        recipes.RemoveAll(r => !seen.Add(NewRun.ConfigHash(r.Recipe)) && r.Variant.GridPoint);
        foreach (var same in recipes.GroupBy(r => NewRun.ConfigHash(r.Recipe)).Where(g => g.Count() > 1))
            errors.Add(new RecipeError("", $"variants {string.Join(" and ", same.Select(s => $"'{s.Variant.Label}'"))} train the same recipe"));
        if (spec.Halving is not null)
        {
            foreach (var (variant, _) in recipes.Where(r => r.Recipe.Budget.Seconds is not null))
                errors.Add(new RecipeError("budget.seconds", $"variant '{variant.Label}': successive halving needs a steps, tokens or flops budget"));
        }
        if (errors.Count > 0)
            throw new RecipeException(errors);

        var baseline = recipes[0].Recipe;
        var runs = new List<NewRun>();
        foreach (var (variant, recipe) in recipes)
        {
            var knobs = RecipeDifference.Between(baseline, recipe);
            foreach (var seed in spec.Seeds)
            {
                var seeded = recipe with { Seed = seed, Name = $"{spec.Name}/{variant.Label}" };
                var folder = Path.Combine(runsDirectory, $"{FolderName(variant.Label)}-{NewRun.ConfigHash(seeded)[..8]}-s{seed}");
                var target = spec.Halving?.RungSteps(seeded) is { Count: > 1 } rungs ? rungs[0] : (long?)null;
                runs.Add(new NewRun(variant.Label, seeded, knobs, folder, target));
            }
        }
        return (spec with { Variants = recipes.Select(r => r.Variant).ToList() }, runs);
    }

    private static string FolderName(string label)
    {
        var name = new StringBuilder(label.Length);
        foreach (var c in label)
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        return name.Length > 48 ? name.ToString(0, 48) : name.ToString();
    }
}
