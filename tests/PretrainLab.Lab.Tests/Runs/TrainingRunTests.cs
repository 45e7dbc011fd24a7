using System.Text.Json;
using PretrainLab.Engine.Training;
using PretrainLab.Lab.Runs;

namespace PretrainLab.Lab.Tests.Runs;

public sealed class TrainingRunTests : IDisposable
{
    private readonly RunFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    /// <summary>Step lines of metrics.jsonl as (step, loss), the deterministic part of the history.</summary>
    private static List<(long Step, double Loss)> StepLosses(string runDir) =>
        File.ReadLines(Path.Combine(runDir, "metrics.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "step")
            .Select(e => (e.GetProperty("step").GetInt64(), e.GetProperty("loss").GetDouble()))
            .ToList();

    [Fact]
    public void TrainWritesRecipeMetricsCheckpointAndSummary()
    {
        var dir = _fixture.RunDir("a");
        var summary = TrainingRun.Train(_fixture.Recipe(), dir);
        Assert.Equal("finished", summary.Status);
        Assert.Equal(20, summary.Steps);
        Assert.Equal(20 * 4 * 16, summary.Tokens);
        Assert.True(summary.ValLoss < Math.Log(256), $"val loss {summary.ValLoss} did not fall below ln 256");
        // Byte-level tokens: bits per byte is the loss in bits.
        Assert.Equal(summary.ValLoss!.Value / Math.Log(2), summary.ValBpb!.Value, 10);
        Assert.True(File.Exists(Path.Combine(dir, "recipe.json")));
        Assert.True(File.Exists(Path.Combine(dir, "checkpoint", "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(dir, "checkpoint", "optimizer.safetensors")));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), StepLosses(dir).Select(s => s.Step));
        var summaryJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))).RootElement;
        Assert.Equal(summary.ValLoss, summaryJson.GetProperty("val_loss").GetDouble());
    }

    [Fact]
    public void SameSeedGivesBitIdenticalRunsAndThreadCountDoesNotMatter()
    {
        var a = TrainingRun.Train(_fixture.Recipe(), _fixture.RunDir("a"));
        var b = TrainingRun.Train(_fixture.Recipe("train.threads=1"), _fixture.RunDir("b"));
        Assert.Equal(StepLosses(_fixture.RunDir("a")), StepLosses(_fixture.RunDir("b")));
        Assert.Equal(a.ValLoss, b.ValLoss);
        var c = TrainingRun.Train(_fixture.Recipe("seed=8"), _fixture.RunDir("c"));
        Assert.NotEqual(a.ValLoss, c.ValLoss);
    }

    [Fact]
    public void CancelledRunResumesOntoTheUninterruptedTrajectory()
    {
        var straight = TrainingRun.Train(_fixture.Recipe(), _fixture.RunDir("straight"));

        var dir = _fixture.RunDir("interrupted");
        using var cts = new CancellationTokenSource();
        var stopped = TrainingRun.Train(_fixture.Recipe(), dir, new CancelAt(13, cts), cts.Token);
        Assert.Equal("cancelled", stopped.Status);
        Assert.Equal(13, stopped.Steps);

        var resumed = TrainingRun.Resume(dir);
        Assert.Equal("finished", resumed.Status);
        Assert.Equal(straight.ValLoss, resumed.ValLoss);
        Assert.Equal(straight.TrainLoss, resumed.TrainLoss);
        Assert.Equal(StepLosses(_fixture.RunDir("straight")), StepLosses(dir));
    }

    [Fact]
    public void KilledRunResumesFromItsLastCheckpointWithoutCountingStepsTwice()
    {
        var straight = TrainingRun.Train(_fixture.Recipe(), _fixture.RunDir("straight"));

        // A crash at step 15 (after the step-10 checkpoint): steps 11-15 are in the log but not saved.
        var dir = _fixture.RunDir("killed");
        Assert.Throws<InvalidOperationException>(() => TrainingRun.Train(_fixture.Recipe(), dir, new CrashAt(15)));
        Assert.Equal(15, StepLosses(dir).Count);

        var resumed = TrainingRun.Resume(Path.Combine(dir, "checkpoint"));
        Assert.Equal(straight.ValLoss, resumed.ValLoss);
        Assert.Equal(StepLosses(_fixture.RunDir("straight")), StepLosses(dir));
    }

    [Fact]
    public void MuonRunResumesOntoTheUninterruptedTrajectory()
    {
        string[] muon = ["optim.kind=muon", "optim.matrix_lr=0.02"];
        var straight = TrainingRun.Train(_fixture.Recipe(muon), _fixture.RunDir("straight"));
        Assert.Equal("finished", straight.Status);
        Assert.True(straight.ValLoss < Math.Log(256), $"val loss {straight.ValLoss}");

        var dir = _fixture.RunDir("interrupted");
        using var cts = new CancellationTokenSource();
        TrainingRun.Train(_fixture.Recipe(muon), dir, new CancelAt(7, cts), cts.Token);
        var resumed = TrainingRun.Resume(dir);
        Assert.Equal(straight.ValLoss, resumed.ValLoss);
        Assert.Equal(StepLosses(_fixture.RunDir("straight")), StepLosses(dir));

        // Muon keeps one momentum buffer per hidden matrix, AdamW two moments for everything else.
        using var o = Engine.Checkpoints.SafeTensorsReader.Open(Path.Combine(dir, "checkpoint", "optimizer.safetensors"));
        Assert.Contains("transformer.h.0.attn.c_attn.weight.momentum_buffer", o.Tensors.Keys);
        Assert.Contains("transformer.wte.weight.exp_avg", o.Tensors.Keys);
        Assert.DoesNotContain("transformer.h.0.attn.c_attn.weight.exp_avg", o.Tensors.Keys);
    }

    [Fact]
    public void GroupLearningRatesChangeTheRunAndEqualRatesDoNot()
    {
        var plain = TrainingRun.Train(_fixture.Recipe("budget.steps=5"), _fixture.RunDir("plain"));
        var explicitSame = TrainingRun.Train(_fixture.Recipe("budget.steps=5", "optim.embedding_lr=3e-3", "optim.scalar_lr=3e-3"),
            _fixture.RunDir("same"));
        Assert.Equal(plain.ValLoss, explicitSame.ValLoss);
        var faster = TrainingRun.Train(_fixture.Recipe("budget.steps=5", "optim.embedding_lr=3e-2"), _fixture.RunDir("faster"));
        Assert.NotEqual(plain.ValLoss, faster.ValLoss);
    }

    [Fact]
    public void GroupBetasAndDecayChangeTheRunAndTheSharedValuesDoNot()
    {
        var plain = TrainingRun.Train(_fixture.Recipe("budget.steps=5"), _fixture.RunDir("plain"));
        // The fixture's shared values written per group: β (0.9, 0.99), decay 0.1 on 2-D weights, none on vectors.
        var explicitSame = TrainingRun.Train(_fixture.Recipe("budget.steps=5", "optim.embedding_beta1=0.9", "optim.matrix_beta2=0.99",
            "optim.head_weight_decay=0.1", "optim.matrix_weight_decay=0.1", "optim.scalar_weight_decay=0"), _fixture.RunDir("same"));
        Assert.Equal(StepLosses(_fixture.RunDir("plain")), StepLosses(_fixture.RunDir("same")));
        Assert.Equal(plain.ValLoss, explicitSame.ValLoss);
        var other = TrainingRun.Train(_fixture.Recipe("budget.steps=5", "optim.embedding_beta1=0.5"), _fixture.RunDir("other"));
        Assert.NotEqual(plain.ValLoss, other.ValLoss);
    }

    [Fact]
    public void RunWithGroupSettingsResumesOntoTheUninterruptedTrajectory()
    {
        // Muon with decayed matrices, and AdamW groups with their own betas and decay (vectors included).
        string[] groups = ["optim.kind=muon", "optim.matrix_weight_decay=0.1", "optim.embedding_beta1=0.8",
            "optim.head_beta2=0.95", "optim.scalar_beta1=0.7", "optim.scalar_weight_decay=0.05", "model.tie_head=false"];
        var straight = TrainingRun.Train(_fixture.Recipe(groups), _fixture.RunDir("straight"));
        Assert.Equal("finished", straight.Status);

        var dir = _fixture.RunDir("interrupted");
        using var cts = new CancellationTokenSource();
        TrainingRun.Train(_fixture.Recipe(groups), dir, new CancelAt(13, cts), cts.Token);
        var resumed = TrainingRun.Resume(dir);
        Assert.Equal(straight.ValLoss, resumed.ValLoss);
        Assert.Equal(StepLosses(_fixture.RunDir("straight")), StepLosses(dir));
    }

    [Fact]
    public void TrainRefusesToOverwriteAnExistingRun()
    {
        var dir = _fixture.RunDir("a");
        TrainingRun.Train(_fixture.Recipe("budget.steps=2"), dir);
        var ex = Assert.Throws<IOException>(() => TrainingRun.Train(_fixture.Recipe("budget.steps=2"), dir));
        Assert.Contains("--resume", ex.Message);
    }

    [Fact]
    public void HugeLearningRateEndsAsDivergedWithTheStep()
    {
        var summary = TrainingRun.Train(_fixture.Recipe("optim.lr=1000", "optim.grad_clip=0", "schedule.warmup_steps=0"), _fixture.RunDir("d"));
        Assert.Equal("diverged", summary.Status);
        Assert.Matches(@"diverged at step \d+: ", summary.Reason);
        Assert.True(summary.Steps < 20);
    }

    [Fact]
    public void DivergenceWaitsForThePatienceInARow()
    {
        string[] blowUp = ["optim.lr=1000", "optim.grad_clip=0", "schedule.warmup_steps=0"];
        var eager = TrainingRun.Train(_fixture.Recipe([.. blowUp, "train.divergence_patience=1"]), _fixture.RunDir("p1"));
        var patient = TrainingRun.Train(_fixture.Recipe([.. blowUp, "train.divergence_patience=5"]), _fixture.RunDir("p5"));
        Assert.Equal("diverged", eager.Status);
        Assert.Equal("diverged", patient.Status);
        Assert.Equal(eager.Steps + 4, patient.Steps);
        Assert.Contains("for 5 steps", patient.Reason);
    }

    [Fact]
    public void TokenAndFlopBudgetsBecomeStepCounts()
    {
        // 4 sequences of 16 tokens per step: 700 tokens need 11 steps (rounded up).
        Assert.Equal(11, TrainingRun.Train(_fixture.Recipe("budget.tokens=700"), _fixture.RunDir("t")).Steps);
        var flopsPerStep = RunPlan.From(_fixture.Recipe()).Model.TrainingFlopsPerToken * 64;
        var byFlops = TrainingRun.Train(_fixture.Recipe($"budget.flops={flopsPerStep * 5.5:R}"), _fixture.RunDir("f"));
        Assert.Equal(6, byFlops.Steps);
        Assert.InRange(byFlops.Flops, flopsPerStep * 5.5, flopsPerStep * 6.01);
    }

    [Fact]
    public void SecondsBudgetStopsOnTheClock()
    {
        var summary = TrainingRun.Train(_fixture.Recipe("budget.seconds=1.5", "eval.interval=100000"), _fixture.RunDir("s"));
        Assert.Equal("finished", summary.Status);
        Assert.True(summary.TrainSeconds >= 1.5, $"stopped after {summary.TrainSeconds} s");
        Assert.True(summary.Steps > 1);
    }

    [Fact]
    public void CheckpointEvaluationMatchesTheRunsOwnValidation()
    {
        var dir = _fixture.RunDir("a");
        var summary = TrainingRun.Train(_fixture.Recipe("eval.tokens=0"), dir);
        // The validation split is the last 10% of the corpus; evaluating that file alone sees the same windows.
        var bytes = File.ReadAllBytes(_fixture.Corpus);
        var valPath = Path.Combine(_fixture.Directory, "val.txt");
        File.WriteAllBytes(valPath, bytes[(int)(bytes.Length * 0.9)..]);
        var m = CheckpointEvaluation.Run(dir, valPath);
        Assert.Equal(summary.ValLoss!.Value, m.Loss, 12);
        Assert.Equal(summary.ValBpb!.Value, m.BitsPerByte!.Value, 12);
        Assert.Equal(20, m.Step);
    }

    private sealed class CancelAt(long step, CancellationTokenSource cts) : ITrainingObserver
    {
        public void OnStep(StepMetrics m)
        {
            if (m.Step == step)
                cts.Cancel();
        }

        public void OnEval(EvalMetrics m)
        {
        }

        public void OnCheckpoint(TrainerState state)
        {
        }
    }

    private sealed class CrashAt(long step) : ITrainingObserver
    {
        public void OnStep(StepMetrics m)
        {
            if (m.Step == step)
                throw new InvalidOperationException("simulated crash");
        }

        public void OnEval(EvalMetrics m)
        {
        }

        public void OnCheckpoint(TrainerState state)
        {
        }
    }
}
