using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;
using PretrainLab.Engine.Training;
using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Runs;

/// <summary>A recipe translated into the engine's terms: the model shape and the trainer's options.</summary>
/// <param name="Recipe">The recipe it came from.</param>
/// <param name="Model">The model shape.</param>
/// <param name="Options">The trainer options.</param>
/// <param name="Threads">Kernel threads (0 = all cores).</param>
public sealed record RunPlan(Recipe Recipe, GptConfig Model, TrainingOptions Options, int Threads)
{
    /// <summary>Per-group peak rates, or null when every group trains at <c>optim.lr</c>.</summary>
    private static GroupLearningRates? GroupRates(OptimSpec o)
    {
        var matrix = o.MatrixLr ?? (o.Kind == OptimizerKind.Muon ? 0.02 : o.Lr);
        var rates = new GroupLearningRates(o.Lr, o.EmbeddingLr ?? o.Lr, o.HeadLr ?? o.Lr, matrix, o.ScalarLr ?? o.Lr);
        return rates == GroupLearningRates.Uniform(o.Lr) ? null : rates;
    }

    /// <summary>
    /// The shared AdamW settings plus each group's own betas and decay. With Muon, AdamW never sees the hidden
    /// matrices, so their group is left out (matrix_weight_decay goes to <see cref="MuonSettings"/>).
    /// </summary>
    private static AdamWOptions AdamWSettings(OptimSpec o) => new(o.Beta1, o.Beta2, o.Eps, o.WeightDecay)
    {
        Embedding = Group(o.EmbeddingBeta1, o.EmbeddingBeta2, o.EmbeddingWeightDecay),
        Head = Group(o.HeadBeta1, o.HeadBeta2, o.HeadWeightDecay),
        Matrix = o.Kind == OptimizerKind.Muon ? null : Group(o.MatrixBeta1, o.MatrixBeta2, o.MatrixWeightDecay),
        Scalar = Group(o.ScalarBeta1, o.ScalarBeta2, o.ScalarWeightDecay),
    };

    /// <summary>A group's own settings, or null when it sets none, so recipes without them give the options they always did.</summary>
    private static AdamWGroupOptions? Group(double? beta1, double? beta2, double? weightDecay) =>
        beta1 is null && beta2 is null && weightDecay is null ? null : new AdamWGroupOptions(beta1, beta2, weightDecay);

    /// <summary>
    /// Muon's settings. Its matrices are decayed only by an explicit matrix_weight_decay: the shared weight_decay
    /// never reached them, and Muon recipes written before the per-group keys must train as they did.
    /// </summary>
    private static MuonOptions MuonSettings(OptimSpec o) =>
        new(o.MuonMomentum, o.NsSteps, o.Kind == OptimizerKind.Muon ? o.MatrixWeightDecay ?? 0 : 0);

    /// <summary>Translates a validated <paramref name="recipe"/>.</summary>
    public static RunPlan From(Recipe recipe)
    {
        var m = recipe.Model;
        var o = recipe.Optim;
        var s = recipe.Schedule;
        LearningRateSchedule schedule = s.Kind switch
        {
            ScheduleKind.Cosine => new CosineSchedule(o.Lr, s.WarmupSteps, s.MinLrRatio),
            ScheduleKind.Constant => new ConstantSchedule(o.Lr, s.WarmupSteps),
            ScheduleKind.Linear => new LinearSchedule(o.Lr, s.WarmupSteps, s.MinLrRatio),
            ScheduleKind.Wsd => new WarmupStableDecaySchedule(o.Lr, s.WarmupSteps, s.DecayFraction, s.MinLrRatio),
            _ => throw new ArgumentOutOfRangeException(nameof(recipe), $"schedule.kind {s.Kind} is not supported"),
        };
        var b = recipe.Budget;
        var options = new TrainingOptions
        {
            Seed = (ulong)recipe.Seed,
            BatchSize = recipe.Train.BatchSize,
            GradAccum = recipe.Train.BatchTokens is { } tokens
                ? (int)(tokens / ((long)recipe.Train.BatchSize * m.BlockSize))
                : recipe.Train.GradAccum,
            LearningRate = o.Lr,
            Schedule = schedule,
            AdamW = AdamWSettings(o),
            Optimizer = o.Kind,
            Muon = MuonSettings(o),
            GroupRates = GroupRates(o),
            GradClip = o.GradClip,
            Budget = new Budget(b.Steps, b.Tokens, b.Flops, b.Seconds),
            EvalInterval = recipe.Eval.Interval,
            EvalTokens = recipe.Eval.Tokens,
            EvalStride = recipe.Eval.Stride,
            CheckpointInterval = recipe.Train.CheckpointInterval,
            DivergenceMargin = recipe.Train.DivergenceMargin,
            DivergencePatience = recipe.Train.DivergencePatience,
        };
        var config = new GptConfig(m.NLayer, m.NHead, m.NEmbd, m.BlockSize, m.VocabSize, (float)m.InitStd)
        {
            Position = m.Position,
            RopeTheta = m.RopeTheta,
            QkNorm = m.QkNorm,
            NKvHead = m.NKvHead ?? 0,
            LogitSoftcap = (float)m.LogitSoftcap,
            ZeroInitProjections = m.ZeroInitProj,
            EmbedNorm = m.EmbedNorm,
            Norm = m.Norm,
            NormGain = m.NormGain,
            Activation = m.Activation,
            MlpRatio = m.MlpRatio,
            Bias = m.Bias,
            TieHead = m.TieHead,
        };
        return new RunPlan(recipe, config, options, recipe.Train.Threads);
    }
}
