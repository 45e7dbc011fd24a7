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
            AdamW = new AdamWOptions(o.Beta1, o.Beta2, o.Eps, o.WeightDecay),
            Optimizer = o.Kind,
            Muon = new MuonOptions(o.MuonMomentum, o.NsSteps),
            GroupRates = GroupRates(o),
            GradClip = o.GradClip,
            Budget = new Budget(b.Steps, b.Tokens, b.Flops, b.Seconds),
            EvalInterval = recipe.Eval.Interval,
            EvalTokens = recipe.Eval.Tokens,
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
