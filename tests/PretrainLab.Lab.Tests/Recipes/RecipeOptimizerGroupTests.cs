using PretrainLab.Engine.Compute;
using PretrainLab.Engine.Model;
using PretrainLab.Engine.Optim;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Runs;

namespace PretrainLab.Lab.Tests.Recipes;

/// <summary>Per-group betas and weight decay: parsing, the Muon-specific rules, and what reaches the engine.</summary>
public sealed class RecipeOptimizerGroupTests : IDisposable
{
    private readonly RecipeFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void UnsetGroupKeysGiveTheSharedOptionsUnchanged()
    {
        var plan = RunPlan.From(_files.Parse("optim: {beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: 0.2}\ndata: {path: corpus.txt}"));

        // Equal to the options the plan gave before the group keys existed, so old recipes train bit for bit alike.
        Assert.Equal(new AdamWOptions(0.8, 0.95, 1e-6, 0.2), plan.Options.AdamW);
        Assert.Equal(new MuonOptions(0.95, 5, 0), plan.Options.Muon);
    }

    [Fact]
    public void GroupKeysReachEachParameterOfTheEngineModel()
    {
        var recipe = _files.Parse("""
            model: {tie_head: false}
            optim:
              beta1: 0.9
              beta2: 0.99
              weight_decay: 0.1
              embedding_beta1: 0.8
              embedding_weight_decay: 0
              head_beta2: 0.9
              matrix_beta1: 0.95
              matrix_beta2: 0.999
              matrix_weight_decay: 0.05
              scalar_weight_decay: 0.01
            data: {path: corpus.txt}
            """);
        var plan = RunPlan.From(recipe);
        Assert.Equal(new AdamWGroupOptions(0.8, null, 0), plan.Options.AdamW.Embedding);
        Assert.Equal(new AdamWGroupOptions(null, 0.9, null), plan.Options.AdamW.Head);
        Assert.Equal(new AdamWGroupOptions(0.95, 0.999, 0.05), plan.Options.AdamW.Matrix);
        Assert.Equal(new AdamWGroupOptions(null, null, 0.01), plan.Options.AdamW.Scalar);

        using var model = new GptModel(plan.Model, 1, Parallelism.Serial);
        var kinds = new HashSet<ParameterKind>();
        foreach (var p in model.Parameters.All)
        {
            (double, double, double) expected = p.Kind switch
            {
                ParameterKind.Embedding => (0.8, 0.99, 0),
                ParameterKind.Head => (0.9, 0.9, 0.1),
                ParameterKind.Matrix => (0.95, 0.999, 0.05),
                _ => (0.9, 0.99, 0.01),
            };
            Assert.Equal(expected, plan.Options.AdamW.For(p));
            kinds.Add(p.Kind);
        }
        Assert.Equal(4, kinds.Count);
        Assert.Equal(recipe, Recipe.FromJson(recipe.ToJson()) with { Data = recipe.Data });
    }

    [Fact]
    public void VectorsStayUndecayedUnlessTheScalarGroupSetsADecay()
    {
        var plan = RunPlan.From(_files.Parse("optim: {weight_decay: 0.3, scalar_beta1: 0.5}\ndata: {path: corpus.txt}"));
        using var model = new GptModel(plan.Model, 1, Parallelism.Serial);

        var bias = model.Parameters.All.First(p => p.Kind == ParameterKind.Vector);
        Assert.Equal((0.5, 0.99, 0.0), plan.Options.AdamW.For(bias));
        var wte = model.Parameters.All.First(p => p.Kind == ParameterKind.Embedding);
        Assert.Equal((0.9, 0.99, 0.3), plan.Options.AdamW.For(wte));
    }

    [Fact]
    public void WithMuonTheMatrixDecayGoesToMuonAndNothingElse()
    {
        var plan = RunPlan.From(_files.Parse("optim: {kind: muon, weight_decay: 0.1, matrix_weight_decay: 0.05, head_weight_decay: 0.2}\ndata: {path: corpus.txt}"));

        Assert.Equal(0.05, plan.Options.Muon.WeightDecay);
        Assert.Null(plan.Options.AdamW.Matrix);
        Assert.Equal(new AdamWGroupOptions(null, null, 0.2), plan.Options.AdamW.Head);
        Assert.Equal(0.1, plan.Options.AdamW.WeightDecay);
    }

    [Fact]
    public void WithMuonTheSharedDecayDoesNotReachTheMatrices()
    {
        var plan = RunPlan.From(_files.Parse("optim: {kind: muon, weight_decay: 0.1}\ndata: {path: corpus.txt}"));

        Assert.Equal(0, plan.Options.Muon.WeightDecay);
    }

    [Fact]
    public void WithAdamWTheMatrixDecayStaysWithAdamW()
    {
        var plan = RunPlan.From(_files.Parse("optim: {matrix_weight_decay: 0.05}\ndata: {path: corpus.txt}"));

        Assert.Equal(new AdamWGroupOptions(null, null, 0.05), plan.Options.AdamW.Matrix);
        Assert.Equal(0, plan.Options.Muon.WeightDecay);
    }

    [Fact]
    public void MatrixBetasAreRejectedWithMuon()
    {
        var errors = _files.Errors("data: {path: corpus.txt}\noptim:\n  kind: muon\n  matrix_beta1: 0.8\n  matrix_beta2: 0.9\n  matrix_weight_decay: 0.1\n");

        Assert.Equal(
            [
                "test.yaml:4: optim.matrix_beta1: applies to AdamW only; with optim.kind: muon the hidden matrices use optim.muon_momentum",
                "test.yaml:5: optim.matrix_beta2: applies to AdamW only; with optim.kind: muon the hidden matrices use optim.muon_momentum",
            ],
            errors.Select(e => e.ToString()));
    }
}
