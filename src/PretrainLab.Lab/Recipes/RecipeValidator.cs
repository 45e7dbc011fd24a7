using PretrainLab.Data.Datasets;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;
using System.Globalization;

namespace PretrainLab.Lab.Recipes;

/// <summary>Checks a recipe's values against their ranges and each other before any compute is spent.</summary>
public static class RecipeValidator
{
    /// <summary>
    /// Every problem with <paramref name="recipe"/>, in schema order; empty when it is valid. The errors carry a
    /// path and message only: <see cref="RecipeLoader"/> adds where each value was written.
    /// </summary>
    /// <param name="recipe">The recipe to check.</param>
    /// <param name="checkFiles">
    /// Whether the data files must exist; false for a recipe read back from a checkpoint on another machine.
    /// </param>
    public static IReadOnlyList<RecipeError> Validate(Recipe recipe, bool checkFiles = true)
    {
        var errors = new List<RecipeError>();
        void Check(bool ok, string path, string rule, object? value)
        {
            if (!ok) errors.Add(new RecipeError(path, $"must be {rule}, got {Format(value)}"));
        }

        Check(recipe.Seed >= 0, "seed", ">= 0", recipe.Seed);

        var model = recipe.Model;
        Check(model.NLayer >= 1, "model.n_layer", ">= 1", model.NLayer);
        Check(model.NHead >= 1, "model.n_head", ">= 1", model.NHead);
        Check(model.NEmbd >= 1, "model.n_embd", ">= 1", model.NEmbd);
        if (model.NHead >= 1 && model.NEmbd >= 1 && model.NEmbd % model.NHead != 0)
        {
            errors.Add(new RecipeError(
                "model.n_embd", $"{model.NEmbd} is not divisible by model.n_head ({model.NHead})"));
        }
        Check(model.BlockSize >= 1, "model.block_size", ">= 1", model.BlockSize);
        Check(model.VocabSize >= 2, "model.vocab_size", ">= 2", model.VocabSize);
        if (model.NEmbd >= 1)
        {
            Check(model.MlpRatio > 0 && Math.Round(model.MlpRatio * model.NEmbd) >= 1, "model.mlp_ratio",
                "> 0 and give at least one hidden unit", model.MlpRatio);
        }
        if (model.NKvHead is { } kv && (kv < 1 || (model.NHead >= 1 && model.NHead % kv != 0)))
            errors.Add(new RecipeError("model.n_kv_head", $"{kv} does not divide model.n_head ({model.NHead})"));
        if (model.Position == PositionKind.Rope && model.NHead >= 1 && model.NEmbd % model.NHead == 0 && model.NEmbd / model.NHead % 2 != 0)
        {
            errors.Add(new RecipeError("model.position",
                $"rope needs an even head dimension; n_embd / n_head = {model.NEmbd / model.NHead}"));
        }
        Check(model.RopeTheta > 0, "model.rope_theta", "> 0", model.RopeTheta);
        Check(model.LogitSoftcap >= 0, "model.logit_softcap", ">= 0 (0 disables)", model.LogitSoftcap);
        Check(model.InitStd > 0, "model.init_std", "> 0", model.InitStd);
        if (model.Norm == NormKind.LayerNorm && !model.NormGain)
            errors.Add(new RecipeError("model.norm_gain", "false needs model.norm: rmsnorm (LayerNorm always has a gain)"));

        // Comparisons are written so that NaN, which fails every comparison, is rejected too.
        var optim = recipe.Optim;
        Check(optim.Lr > 0, "optim.lr", "> 0", optim.Lr);
        Check(optim.Beta1 is >= 0 and < 1, "optim.beta1", "in [0, 1)", optim.Beta1);
        Check(optim.Beta2 is >= 0 and < 1, "optim.beta2", "in [0, 1)", optim.Beta2);
        Check(optim.Eps > 0, "optim.eps", "> 0", optim.Eps);
        Check(optim.WeightDecay >= 0, "optim.weight_decay", ">= 0", optim.WeightDecay);
        Check(optim.GradClip >= 0, "optim.grad_clip", ">= 0", optim.GradClip);
        Check(optim.EmbeddingLr is null or > 0, "optim.embedding_lr", "> 0 or null", optim.EmbeddingLr);
        Check(optim.HeadLr is null or > 0, "optim.head_lr", "> 0 or null", optim.HeadLr);
        Check(optim.MatrixLr is null or > 0, "optim.matrix_lr", "> 0 or null", optim.MatrixLr);
        Check(optim.ScalarLr is null or > 0, "optim.scalar_lr", "> 0 or null", optim.ScalarLr);
        Check(optim.EmbeddingBeta1 is null or (>= 0 and < 1), "optim.embedding_beta1", "in [0, 1) or null", optim.EmbeddingBeta1);
        Check(optim.EmbeddingBeta2 is null or (>= 0 and < 1), "optim.embedding_beta2", "in [0, 1) or null", optim.EmbeddingBeta2);
        Check(optim.EmbeddingWeightDecay is null or >= 0, "optim.embedding_weight_decay", ">= 0 or null", optim.EmbeddingWeightDecay);
        Check(optim.HeadBeta1 is null or (>= 0 and < 1), "optim.head_beta1", "in [0, 1) or null", optim.HeadBeta1);
        Check(optim.HeadBeta2 is null or (>= 0 and < 1), "optim.head_beta2", "in [0, 1) or null", optim.HeadBeta2);
        Check(optim.HeadWeightDecay is null or >= 0, "optim.head_weight_decay", ">= 0 or null", optim.HeadWeightDecay);
        Check(optim.MatrixBeta1 is null or (>= 0 and < 1), "optim.matrix_beta1", "in [0, 1) or null", optim.MatrixBeta1);
        Check(optim.MatrixBeta2 is null or (>= 0 and < 1), "optim.matrix_beta2", "in [0, 1) or null", optim.MatrixBeta2);
        Check(optim.MatrixWeightDecay is null or >= 0, "optim.matrix_weight_decay", ">= 0 or null", optim.MatrixWeightDecay);
        Check(optim.ScalarBeta1 is null or (>= 0 and < 1), "optim.scalar_beta1", "in [0, 1) or null", optim.ScalarBeta1);
        Check(optim.ScalarBeta2 is null or (>= 0 and < 1), "optim.scalar_beta2", "in [0, 1) or null", optim.ScalarBeta2);
        Check(optim.ScalarWeightDecay is null or >= 0, "optim.scalar_weight_decay", ">= 0 or null", optim.ScalarWeightDecay);
        // Muon's hidden matrices have no Adam moments; a beta set for them would be silently ignored.
        if (optim.Kind == OptimizerKind.Muon)
        {
            foreach (var (key, value) in new[] { ("optim.matrix_beta1", optim.MatrixBeta1), ("optim.matrix_beta2", optim.MatrixBeta2) })
            {
                if (value is not null)
                    errors.Add(new RecipeError(key, "applies to AdamW only; with optim.kind: muon the hidden matrices use optim.muon_momentum"));
            }
        }
        Check(optim.MuonMomentum is >= 0 and < 1, "optim.muon_momentum", "in [0, 1)", optim.MuonMomentum);
        Check(optim.NsSteps is >= 1 and <= 20, "optim.ns_steps", "in [1, 20]", optim.NsSteps);

        var schedule = recipe.Schedule;
        Check(Enum.IsDefined(schedule.Kind), "schedule.kind", "a defined schedule", schedule.Kind);
        Check(schedule.WarmupSteps >= 0, "schedule.warmup_steps", ">= 0", schedule.WarmupSteps);
        Check(schedule.MinLrRatio is >= 0 and <= 1, "schedule.min_lr_ratio", "in [0, 1]", schedule.MinLrRatio);
        Check(schedule.DecayFraction is > 0 and <= 1, "schedule.decay_fraction", "in (0, 1]", schedule.DecayFraction);

        var data = recipe.Data;
        Check(Enum.IsDefined(data.Format), "data.format", "a defined format", data.Format);
        if (data.Path.Length == 0)
            errors.Add(new RecipeError("data.path", "required"));
        else if (checkFiles && data.Format == DataFormat.Dataset)
            ValidateDataset(data.Path, model.VocabSize, errors);
        else if (checkFiles && data.Format != DataFormat.Dataset && !File.Exists(data.Path))
            errors.Add(new RecipeError("data.path", $"file not found: {data.Path}"));
        switch (data.Format)
        {
            case DataFormat.Shard when data.ValPath is null:
                errors.Add(new RecipeError("data.val_path", "required for the shard format (the validation shard)"));
                break;
            case DataFormat.Shard when checkFiles && !File.Exists(data.ValPath):
                errors.Add(new RecipeError("data.val_path", $"file not found: {data.ValPath}"));
                break;
            case DataFormat.Dataset when data.ValPath is not null:
                errors.Add(new RecipeError(
                    "data.val_path", "must be null for the dataset format (the dataset's manifest names its val shards)"));
                break;
            case DataFormat.Text when data.ValPath is not null:
                errors.Add(new RecipeError(
                    "data.val_path", "must be null for the text format (data.val_fraction splits off validation)"));
                break;
        }
        Check(data.ValFraction is > 0 and <= 0.5, "data.val_fraction", "in (0, 0.5]", data.ValFraction);
        if (data.Format == DataFormat.Text && model.VocabSize is >= 2 and < 256)
        {
            errors.Add(new RecipeError(
                "model.vocab_size", $"must be >= 256 for byte-level text data (data.format: text), got {model.VocabSize}"));
        }

        var train = recipe.Train;
        Check(train.BatchSize >= 1, "train.batch_size", ">= 1", train.BatchSize);
        Check(train.GradAccum >= 1, "train.grad_accum", ">= 1", train.GradAccum);
        Check(train.Threads >= 0, "train.threads", ">= 0", train.Threads);
        if (train.BatchTokens is { } batchTokens && train.BatchSize >= 1 && model.BlockSize >= 1)
        {
            var perMicro = (long)train.BatchSize * model.BlockSize;
            if (train.GradAccum != 1)
                errors.Add(new RecipeError("train.batch_tokens", "set either train.batch_tokens or train.grad_accum, not both"));
            else if (batchTokens < perMicro || batchTokens % perMicro != 0)
            {
                errors.Add(new RecipeError("train.batch_tokens",
                    $"{batchTokens} is not a multiple of train.batch_size × model.block_size = {perMicro}"));
            }
        }
        Check(train.CheckpointInterval >= 0, "train.checkpoint_interval", ">= 0", train.CheckpointInterval);
        Check(train.DivergenceMargin > 0, "train.divergence_margin", "> 0", train.DivergenceMargin);
        Check(train.DivergencePatience >= 1, "train.divergence_patience", ">= 1", train.DivergencePatience);

        var budget = recipe.Budget;
        (string Key, object? Value)[] budgets =
            [("steps", budget.Steps), ("tokens", budget.Tokens), ("flops", budget.Flops), ("seconds", budget.Seconds)];
        var set = budgets.Where(b => b.Value is not null).ToList();
        if (set.Count != 1)
        {
            var found = set.Count == 0 ? "none is set" : $"got {string.Join(" and ", set.Select(b => b.Key))}";
            errors.Add(new RecipeError(
                RecipeSchema.Budget,
                $"set exactly one of {string.Join(", ", budgets.Select(b => b.Key))}; {found}"));
        }
        Check(budget.Steps is null or > 0, "budget.steps", "> 0", budget.Steps);
        Check(budget.Tokens is null or > 0, "budget.tokens", "> 0", budget.Tokens);
        Check(budget.Flops is null or > 0, "budget.flops", "> 0", budget.Flops);
        Check(budget.Seconds is null or > 0, "budget.seconds", "> 0", budget.Seconds);

        Check(recipe.Eval.Interval >= 1, "eval.interval", ">= 1", recipe.Eval.Interval);
        Check(recipe.Eval.Tokens >= 0, "eval.tokens", ">= 0", recipe.Eval.Tokens);
        Check(recipe.Eval.Stride >= 0 && recipe.Eval.Stride <= recipe.Model.BlockSize, "eval.stride",
            $"between 0 and model.block_size ({recipe.Model.BlockSize})", recipe.Eval.Stride);
        return errors;
    }

    // The manifest alone (not the shards' hashes, checked when the run opens them) decides whether the model fits.
    private static void ValidateDataset(string path, int vocabSize, List<RecipeError> errors)
    {
        if (!Directory.Exists(path))
        {
            errors.Add(new RecipeError("data.path", $"dataset folder not found: {path}"));
            return;
        }
        try
        {
            var manifest = DatasetManifest.Load(path);
            if (vocabSize < manifest.Tokenizer.VocabSize)
                errors.Add(new RecipeError("model.vocab_size", $"must be >= the dataset's vocabulary of {manifest.Tokenizer.VocabSize}, got {vocabSize}"));
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            errors.Add(new RecipeError("data.path", e.Message));
        }
    }

    private static string Format(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
}
