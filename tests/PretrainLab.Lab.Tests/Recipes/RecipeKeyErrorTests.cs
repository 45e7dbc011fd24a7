using PretrainLab.Lab.Recipes;

namespace PretrainLab.Lab.Tests.Recipes;

/// <summary>Unknown keys, wrong types and malformed YAML.</summary>
public sealed class RecipeKeyErrorTests : IDisposable
{
    private readonly RecipeFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void UnknownKeySuggestsTheClosestKeyWithItsLine()
    {
        var error = Assert.Single(_files.Errors("data:\n  path: corpus.txt\nmodel:\n  n_layers: 6\n"));

        Assert.Equal("test.yaml:4: model.n_layers: unknown key; did you mean 'model.n_layer'?", error.ToString());
        Assert.Equal(new RecipeError("model.n_layers", "unknown key; did you mean 'model.n_layer'?", "test.yaml", 4), error);
    }

    [Fact]
    public void UnknownKeySuggestionIgnoresCase()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\noptim: {Weight_Decay: 0}"));

        Assert.Equal("unknown key; did you mean 'optim.weight_decay'?", error.Message);
    }

    [Fact]
    public void MisspelledGroupKeySuggestsTheGroupKey()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\noptim: {scalar_weightdecay: 0.1}"));

        Assert.Equal("unknown key; did you mean 'optim.scalar_weight_decay'?", error.Message);
    }

    [Fact]
    public void UnknownKeyWithTranspositionIsSuggested()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\nmodel: {n_ehad: 2}"));

        Assert.Equal("unknown key; did you mean 'model.n_head'?", error.Message);
    }

    [Fact]
    public void UnknownKeyWithNoCloseMatchListsTheValidKeys()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\nmodel: {colour: blue}"));

        Assert.Equal("model.colour", error.Path);
        Assert.DoesNotContain("did you mean", error.Message);
        Assert.Equal("unknown key (valid here: n_layer, n_head, n_embd, block_size, vocab_size, norm, norm_gain, activation, mlp_ratio, bias, tie_head, position, rope_theta, qk_norm, n_kv_head, logit_softcap, zero_init_proj, init_std, embed_norm)", error.Message);
    }

    [Fact]
    public void UnknownSectionIsReportedOnceNotPerKey()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\noptimizer:\n  lr: 1\n  eps: 2\n"));

        Assert.Equal("test.yaml:2: optimizer: unknown key; did you mean 'optim'?", error.ToString());
    }

    [Theory]
    [InlineData("model: {n_layer: four}", "model.n_layer: expected an integer, got 'four'")]
    [InlineData("model: {n_layer: 2.5}", "model.n_layer: expected an integer, got '2.5'")]
    [InlineData("model: {n_layer: 3000000000}", "model.n_layer: expected an integer, got '3000000000'")]
    [InlineData("optim: {lr: fast}", "optim.lr: expected a number, got 'fast'")]
    [InlineData("optim: {lr: .nan}", "optim.lr: expected a number, got '.nan'")]
    [InlineData("optim: {lr: null}", "optim.lr: expected a number, got null")]
    [InlineData("schedule: {kind: cosin}", "schedule.kind: expected one of cosine, constant, linear, wsd, got 'cosin'")]
    [InlineData("budget: {steps: many}", "budget.steps: expected an integer or null, got 'many'")]
    [InlineData("name: [a, b]", "name: expected a string, got a sequence")]
    [InlineData("seed: {value: 1}", "seed: expected an integer, got a mapping")]
    [InlineData("model: 5", "model: expected a mapping of keys, got '5'")]
    public void WrongTypeNamesPathValueAndExpectedType(string line, string expected)
    {
        var error = Assert.Single(_files.Errors($"data: {{path: corpus.txt}}\n{line}\n"));

        Assert.Equal($"test.yaml:2: {expected}", error.ToString());
    }

    [Fact]
    public void UnknownBudgetKeyDoesNotAlsoReportAMissingBudget()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\nbudget: {stpes: 10}"));

        Assert.Equal("test.yaml:2: budget.stpes: unknown key; did you mean 'budget.steps'?", error.ToString());
    }

    [Fact]
    public void TopLevelMustBeAMapping()
    {
        var errors = _files.Errors("just a string");

        Assert.Equal("test.yaml:1: expected a mapping of recipe keys, got 'just a string'", errors[0].ToString());
    }

    [Fact]
    public void YamlSyntaxErrorHasALineNumber()
    {
        var error = Assert.Single(_files.Errors("data:\n  path: corpus.txt\nmodel:\n  n_layer: 4\n   n_head: 2\n"));

        Assert.Equal("test.yaml", error.Source);
        Assert.Equal(5, error.Line);
        Assert.StartsWith("test.yaml:5: invalid YAML", error.ToString());
    }

    [Fact]
    public void UnclosedFlowSequenceIsASyntaxError()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\nname: [a\n"));

        Assert.StartsWith("invalid YAML", error.Message);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void DuplicateKeyIsASyntaxError()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\nseed: 1\nseed: 2\n"));

        Assert.Equal(3, error.Line);
        Assert.Contains("Duplicate key", error.Message);
    }

    [Fact]
    public void SeveralDocumentsAreRejected()
    {
        var error = Assert.Single(_files.Errors("data: {path: corpus.txt}\n---\nseed: 2\n"));

        Assert.Equal("test.yaml:3: expected a single YAML document", error.ToString());
    }

    [Fact]
    public void MissingRecipeFileIsARecipeError()
    {
        var path = Path.Combine(_files.Directory, "absent.yaml");

        var error = Assert.Single(Assert.Throws<RecipeException>(() => RecipeLoader.Load(path)).Errors);

        Assert.Equal($"{path}: recipe file not found: {path}", error.ToString());
    }

    [Fact]
    public void AllErrorsAreReportedTogetherInLineOrder()
    {
        const string yaml = """
            model:
              n_layers: 6
              n_head: 3
              n_embd: 100
            optim:
              lr: -1
              beta1: lots
            budget:
              steps: 10
              tokens: 20
            """;

        var exception = Assert.Throws<RecipeException>(() => _files.Parse(yaml, "eval.interval=0"));

        Assert.Equal(
            [
                "test.yaml:2: model.n_layers: unknown key; did you mean 'model.n_layer'?",
                "test.yaml:4: model.n_embd: 100 is not divisible by model.n_head (3)",
                "test.yaml:6: optim.lr: must be > 0, got -1",
                "test.yaml:7: optim.beta1: expected a number, got 'lots'",
                "test.yaml:8: budget: set exactly one of steps, tokens, flops, seconds; got steps and tokens",
                "test.yaml: data.path: required",
                "override: eval.interval: must be >= 1, got 0",
            ],
            exception.Errors.Select(e => e.ToString()));
        Assert.Equal(string.Join('\n', exception.Errors), exception.Message);
    }
}
