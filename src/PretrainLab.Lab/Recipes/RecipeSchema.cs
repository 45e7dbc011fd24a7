namespace PretrainLab.Lab.Recipes;

/// <summary>
/// Every key a recipe may contain, in canonical order, and how each maps onto <see cref="Recipe"/>. This table is
/// the single place a new key is added: parsing, unknown-key suggestions and canonical JSON all follow it.
/// </summary>
internal static class RecipeSchema
{
    /// <summary>The section whose keys are alternatives: setting any of them replaces the whole section.</summary>
    public const string Budget = "budget";

    /// <summary>The leaf keys, top-level keys first, then each section's keys together.</summary>
    public static IReadOnlyList<RecipeField> Fields { get; } =
    [
        RecipeField.Text("name", r => r.Name, (r, v) => r with { Name = v }),
        RecipeField.Int("seed", r => r.Seed, (r, v) => r with { Seed = v }),

        RecipeField.Int("model.n_layer", r => r.Model.NLayer, (r, v) => r with { Model = r.Model with { NLayer = v } }),
        RecipeField.Int("model.n_head", r => r.Model.NHead, (r, v) => r with { Model = r.Model with { NHead = v } }),
        RecipeField.Int("model.n_embd", r => r.Model.NEmbd, (r, v) => r with { Model = r.Model with { NEmbd = v } }),
        RecipeField.Int("model.block_size", r => r.Model.BlockSize,
            (r, v) => r with { Model = r.Model with { BlockSize = v } }),
        RecipeField.Int("model.vocab_size", r => r.Model.VocabSize,
            (r, v) => r with { Model = r.Model with { VocabSize = v } }),
        RecipeField.Choice("model.norm", r => r.Model.Norm, (r, v) => r with { Model = r.Model with { Norm = v } },
            n => n.ToString().ToLowerInvariant()),
        RecipeField.Bool("model.norm_gain", r => r.Model.NormGain,
            (r, v) => r with { Model = r.Model with { NormGain = v } }),
        RecipeField.Choice("model.activation", r => r.Model.Activation,
            (r, v) => r with { Model = r.Model with { Activation = v } }, a => a.ToString().ToLowerInvariant()),
        RecipeField.Number("model.mlp_ratio", r => r.Model.MlpRatio,
            (r, v) => r with { Model = r.Model with { MlpRatio = v } }),
        RecipeField.Bool("model.bias", r => r.Model.Bias, (r, v) => r with { Model = r.Model with { Bias = v } }),
        RecipeField.Bool("model.tie_head", r => r.Model.TieHead,
            (r, v) => r with { Model = r.Model with { TieHead = v } }),
        RecipeField.Choice("model.position", r => r.Model.Position,
            (r, v) => r with { Model = r.Model with { Position = v } }),
        RecipeField.Number("model.rope_theta", r => r.Model.RopeTheta,
            (r, v) => r with { Model = r.Model with { RopeTheta = v } }),
        RecipeField.Bool("model.qk_norm", r => r.Model.QkNorm, (r, v) => r with { Model = r.Model with { QkNorm = v } }),
        RecipeField.OptionalInt("model.n_kv_head", r => r.Model.NKvHead,
            (r, v) => r with { Model = r.Model with { NKvHead = v } }),
        RecipeField.Number("model.logit_softcap", r => r.Model.LogitSoftcap,
            (r, v) => r with { Model = r.Model with { LogitSoftcap = v } }),
        RecipeField.Bool("model.zero_init_proj", r => r.Model.ZeroInitProj,
            (r, v) => r with { Model = r.Model with { ZeroInitProj = v } }),
        RecipeField.Number("model.init_std", r => r.Model.InitStd,
            (r, v) => r with { Model = r.Model with { InitStd = v } }),
        RecipeField.Bool("model.embed_norm", r => r.Model.EmbedNorm,
            (r, v) => r with { Model = r.Model with { EmbedNorm = v } }),

        RecipeField.Choice("optim.kind", r => r.Optim.Kind, (r, v) => r with { Optim = r.Optim with { Kind = v } },
            k => k.ToString().ToLowerInvariant()),
        RecipeField.Number("optim.lr", r => r.Optim.Lr, (r, v) => r with { Optim = r.Optim with { Lr = v } }),
        RecipeField.OptionalNumber("optim.embedding_lr", r => r.Optim.EmbeddingLr,
            (r, v) => r with { Optim = r.Optim with { EmbeddingLr = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.head_lr", r => r.Optim.HeadLr,
            (r, v) => r with { Optim = r.Optim with { HeadLr = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.matrix_lr", r => r.Optim.MatrixLr,
            (r, v) => r with { Optim = r.Optim with { MatrixLr = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.scalar_lr", r => r.Optim.ScalarLr,
            (r, v) => r with { Optim = r.Optim with { ScalarLr = v } }, omitWhenNull: false),
        RecipeField.Number("optim.muon_momentum", r => r.Optim.MuonMomentum,
            (r, v) => r with { Optim = r.Optim with { MuonMomentum = v } }),
        RecipeField.Int("optim.ns_steps", r => r.Optim.NsSteps, (r, v) => r with { Optim = r.Optim with { NsSteps = v } }),
        RecipeField.Number("optim.beta1", r => r.Optim.Beta1, (r, v) => r with { Optim = r.Optim with { Beta1 = v } }),
        RecipeField.Number("optim.beta2", r => r.Optim.Beta2, (r, v) => r with { Optim = r.Optim with { Beta2 = v } }),
        RecipeField.Number("optim.eps", r => r.Optim.Eps, (r, v) => r with { Optim = r.Optim with { Eps = v } }),
        RecipeField.Number("optim.weight_decay", r => r.Optim.WeightDecay,
            (r, v) => r with { Optim = r.Optim with { WeightDecay = v } }),
        RecipeField.OptionalNumber("optim.embedding_beta1", r => r.Optim.EmbeddingBeta1,
            (r, v) => r with { Optim = r.Optim with { EmbeddingBeta1 = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.embedding_beta2", r => r.Optim.EmbeddingBeta2,
            (r, v) => r with { Optim = r.Optim with { EmbeddingBeta2 = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.embedding_weight_decay", r => r.Optim.EmbeddingWeightDecay,
            (r, v) => r with { Optim = r.Optim with { EmbeddingWeightDecay = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.head_beta1", r => r.Optim.HeadBeta1,
            (r, v) => r with { Optim = r.Optim with { HeadBeta1 = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.head_beta2", r => r.Optim.HeadBeta2,
            (r, v) => r with { Optim = r.Optim with { HeadBeta2 = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.head_weight_decay", r => r.Optim.HeadWeightDecay,
            (r, v) => r with { Optim = r.Optim with { HeadWeightDecay = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.matrix_beta1", r => r.Optim.MatrixBeta1,
            (r, v) => r with { Optim = r.Optim with { MatrixBeta1 = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.matrix_beta2", r => r.Optim.MatrixBeta2,
            (r, v) => r with { Optim = r.Optim with { MatrixBeta2 = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.matrix_weight_decay", r => r.Optim.MatrixWeightDecay,
            (r, v) => r with { Optim = r.Optim with { MatrixWeightDecay = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.scalar_beta1", r => r.Optim.ScalarBeta1,
            (r, v) => r with { Optim = r.Optim with { ScalarBeta1 = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.scalar_beta2", r => r.Optim.ScalarBeta2,
            (r, v) => r with { Optim = r.Optim with { ScalarBeta2 = v } }, omitWhenNull: false),
        RecipeField.OptionalNumber("optim.scalar_weight_decay", r => r.Optim.ScalarWeightDecay,
            (r, v) => r with { Optim = r.Optim with { ScalarWeightDecay = v } }, omitWhenNull: false),
        RecipeField.Number("optim.grad_clip", r => r.Optim.GradClip,
            (r, v) => r with { Optim = r.Optim with { GradClip = v } }),

        RecipeField.Choice("schedule.kind", r => r.Schedule.Kind,
            (r, v) => r with { Schedule = r.Schedule with { Kind = v } }),
        RecipeField.Int("schedule.warmup_steps", r => r.Schedule.WarmupSteps,
            (r, v) => r with { Schedule = r.Schedule with { WarmupSteps = v } }),
        RecipeField.Number("schedule.min_lr_ratio", r => r.Schedule.MinLrRatio,
            (r, v) => r with { Schedule = r.Schedule with { MinLrRatio = v } }),
        RecipeField.Number("schedule.decay_fraction", r => r.Schedule.DecayFraction,
            (r, v) => r with { Schedule = r.Schedule with { DecayFraction = v } }),

        RecipeField.Choice("data.format", r => r.Data.Format, (r, v) => r with { Data = r.Data with { Format = v } }),
        RecipeField.FilePath("data.path", r => r.Data.Path, (r, v) => r with { Data = r.Data with { Path = v } }),
        RecipeField.OptionalFilePath("data.val_path", r => r.Data.ValPath,
            (r, v) => r with { Data = r.Data with { ValPath = v } }),
        RecipeField.Number("data.val_fraction", r => r.Data.ValFraction,
            (r, v) => r with { Data = r.Data with { ValFraction = v } }),

        RecipeField.Int("train.batch_size", r => r.Train.BatchSize,
            (r, v) => r with { Train = r.Train with { BatchSize = v } }),
        RecipeField.Int("train.grad_accum", r => r.Train.GradAccum,
            (r, v) => r with { Train = r.Train with { GradAccum = v } }),
        RecipeField.OptionalLong("train.batch_tokens", r => r.Train.BatchTokens,
            (r, v) => r with { Train = r.Train with { BatchTokens = v } }, omitWhenNull: false),
        RecipeField.Int("train.threads", r => r.Train.Threads,
            (r, v) => r with { Train = r.Train with { Threads = v } }),
        RecipeField.Int("train.checkpoint_interval", r => r.Train.CheckpointInterval,
            (r, v) => r with { Train = r.Train with { CheckpointInterval = v } }),
        RecipeField.Number("train.divergence_margin", r => r.Train.DivergenceMargin,
            (r, v) => r with { Train = r.Train with { DivergenceMargin = v } }),
        RecipeField.Int("train.divergence_patience", r => r.Train.DivergencePatience,
            (r, v) => r with { Train = r.Train with { DivergencePatience = v } }),

        RecipeField.OptionalLong("budget.steps", r => r.Budget.Steps,
            (r, v) => r with { Budget = r.Budget with { Steps = v } }, omitWhenNull: true),
        RecipeField.OptionalLong("budget.tokens", r => r.Budget.Tokens,
            (r, v) => r with { Budget = r.Budget with { Tokens = v } }, omitWhenNull: true),
        RecipeField.OptionalNumber("budget.flops", r => r.Budget.Flops,
            (r, v) => r with { Budget = r.Budget with { Flops = v } }, omitWhenNull: true),
        RecipeField.OptionalNumber("budget.seconds", r => r.Budget.Seconds,
            (r, v) => r with { Budget = r.Budget with { Seconds = v } }, omitWhenNull: true),

        RecipeField.Int("eval.interval", r => r.Eval.Interval, (r, v) => r with { Eval = r.Eval with { Interval = v } }),
        RecipeField.Long("eval.tokens", r => r.Eval.Tokens, (r, v) => r with { Eval = r.Eval with { Tokens = v } }),
        RecipeField.Int("eval.stride", r => r.Eval.Stride, (r, v) => r with { Eval = r.Eval with { Stride = v } }),
    ];

    private static readonly Dictionary<string, RecipeField> ByPath =
        Fields.ToDictionary(f => f.Path, StringComparer.Ordinal);

    private static readonly HashSet<string> Sections = Fields.Select(f => f.Section).OfType<string>().ToHashSet();

    /// <summary>The field at a dotted path, or null if the path is not a leaf key.</summary>
    public static RecipeField? Find(string path) => ByPath.GetValueOrDefault(path);

    /// <summary>Whether a dotted path names a section (<c>model</c>) rather than a key.</summary>
    public static bool IsSection(string path) => Sections.Contains(path);

    /// <summary>
    /// Explains why <paramref name="path"/> is not a key: the first segment that is unknown, with the closest
    /// valid key at that level when one is close, or a key that is not a section being used as one.
    /// </summary>
    public static RecipeError NotAKey(string path)
    {
        var segments = path.Split('.');
        var prefix = "";
        foreach (var segment in segments)
        {
            var current = prefix.Length == 0 ? segment : $"{prefix}.{segment}";
            if (ByPath.ContainsKey(current))
                return new RecipeError(path, $"'{current}' is a value, not a section");
            if (!IsSection(current))
            {
                var choices = KeysIn(prefix);
                var closest = EditDistance.Closest(segment, choices);
                var message = closest is null
                    ? $"unknown key (valid here: {string.Join(", ", choices)})"
                    : $"unknown key; did you mean '{Join(prefix, closest)}'?";
                return new RecipeError(current, message);
            }
            prefix = current;
        }
        return new RecipeError(path, $"is a section; set one of its keys, e.g. '{path}.{KeysIn(path)[0]}'");
    }

    /// <summary>The keys and sections directly inside <paramref name="section"/> ("" for the top), in schema order.</summary>
    private static List<string> KeysIn(string section) =>
        section.Length == 0
            ? Fields.Select(f => f.Section ?? f.Key).Distinct().ToList()
            : Fields.Where(f => f.Section == section).Select(f => f.Key).ToList();

    private static string Join(string prefix, string key) => prefix.Length == 0 ? key : $"{prefix}.{key}";
}
