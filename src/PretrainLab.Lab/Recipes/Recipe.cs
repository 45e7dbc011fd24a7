using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PretrainLab.Lab.Recipes;

/// <summary>
/// Everything that defines one training run. Load one with <see cref="RecipeLoader"/>; derive variants with
/// <c>with</c> expressions.
/// </summary>
/// <param name="Name">A label for people (<c>name</c>); not part of <see cref="Hash"/>.</param>
/// <param name="Seed">The random seed (<c>seed</c>), at least 0.</param>
/// <param name="Model">The architecture.</param>
/// <param name="Optim">The optimizer.</param>
/// <param name="Schedule">The learning-rate schedule.</param>
/// <param name="Data">The training and validation data.</param>
/// <param name="Train">The training loop.</param>
/// <param name="Budget">When the run stops.</param>
/// <param name="Eval">The evaluation cadence.</param>
public sealed record Recipe(
    string Name,
    int Seed,
    ModelSpec Model,
    OptimSpec Optim,
    ScheduleSpec Schedule,
    DataSpec Data,
    TrainSpec Train,
    BudgetSpec Budget,
    EvalSpec Eval)
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        Indented = true,
        NewLine = "\n",
        // Paths stay readable; the JSON is stored in files, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>All defaults; invalid until <see cref="DataSpec.Path"/> is set.</summary>
    public static Recipe Default { get; } = new(
        Name: "run",
        Seed: 1337,
        ModelSpec.Default,
        OptimSpec.Default,
        ScheduleSpec.Default,
        DataSpec.Default,
        TrainSpec.Default,
        BudgetSpec.Default,
        EvalSpec.Default);

    /// <summary>
    /// Lowercase hex SHA-256 of the canonical JSON without <c>name</c> and without the keys that hold their default
    /// value: equal for recipes that train the same run, however they were written or labelled, and unchanged when
    /// a later version adds a key whose default keeps the old behaviour, so stored runs keep matching their recipes.
    /// </summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(WriteJson(includeName: false, onlyChanged: true)));

    /// <summary>The first 16 hex digits of <see cref="Hash"/>, for run names and tables.</summary>
    public string ShortHash => Hash[..16];

    /// <summary>
    /// The canonical form: indented snake_case JSON with every key in schema order, defaults included, and
    /// budget keys that are not set left out. <see cref="FromJson"/> reads it back.
    /// </summary>
    public string ToJson() => Encoding.UTF8.GetString(WriteJson(includeName: true, onlyChanged: false));

    /// <summary>
    /// Reads a recipe written by <see cref="ToJson"/>, e.g. from a checkpoint's metadata. The data files need not
    /// exist; every other rule is checked.
    /// </summary>
    /// <exception cref="RecipeException">The JSON is malformed or the recipe invalid.</exception>
    public static Recipe FromJson(string json) =>
        RecipeLoader.Parse(json, baseDirectory: null, sourceName: "<json>", checkFiles: false);

    private ReadOnlySpan<byte> WriteJson(bool includeName, bool onlyChanged)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartObject();
            string? section = null;
            foreach (var field in RecipeSchema.Fields)
            {
                if (!includeName && field.Path == "name") continue;
                if (onlyChanged && field.HasDefaultValue(this)) continue;
                if (field.Section != section)
                {
                    if (section is not null) writer.WriteEndObject();
                    if (field.Section is not null) writer.WriteStartObject(field.Section);
                    section = field.Section;
                }
                // A null that differs from a non-null default (a budget switched off) must still count.
                field.Write(writer, this, writeNull: onlyChanged);
            }
            if (section is not null) writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan;
    }
}
