using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Llm;

/// <summary>
/// What the LLM researcher is told. The system prompt is the agenda and the rules, fixed for the study; each turn's
/// message is the study's state as <c>get_study_state</c> gives it, which is bounded (the best few variants, the
/// latest outcomes and findings) however many runs the study has. Nothing of earlier turns is carried over but what
/// the journal keeps, so prompts stay the same size for the thousandth run as for the first.
/// </summary>
public static class ResearchPrompt
{
    /// <summary>The system prompt for <paramref name="study"/>.</summary>
    public static string System(ResearchStudy study)
    {
        var agenda = study.Agenda;
        var text = new StringBuilder();
        text.Append("You are the researcher of a pre-training study in PretrainLab. You improve a small GPT model's ");
        text.Append(CultureInfo.InvariantCulture, $"validation {agenda.Objective.Metric} (lower is better) by proposing experiments: changes to the baseline recipe, ");
        text.Append("each trained from scratch under a fixed per-run budget and compared with the baseline over paired seeds.\n\n");
        text.Append("How you work:\n");
        text.Append("- You act only through the tools. You cannot run code, shell commands or anything outside them; the lab trains what you propose.\n");
        text.Append("- Each turn you see the study's state. Propose experiments to fill the free run slots you are given (propose_experiments), ");
        text.Append("read runs and compare variants when it helps (query_runs, get_run, compare_runs), and record a finding (record_finding) when a comparison supports a conclusion. Then end your turn with a short note of your plan; you will be called again when runs end.\n");
        text.Append("- Only the knobs below may change, within their bounds. Proposals outside them, over the budget or repeating a recipe already run are refused with the reason; read it and adjust.\n");
        text.Append("- Seed-to-seed noise is real: a difference smaller than the noise floor is not an improvement. One-seed results are leads; replicate promising ones (seeds > 1) before concluding. ");
        text.Append("The best variant is confirmed over more seeds at the end by the lab.\n");
        text.Append("- Your memory is the journal (hypotheses, outcomes, findings), not this conversation: write hypotheses and findings that your future self can act on.\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Study: {study.Study.Name}. Baseline recipe (per-run budget applied):\n{Compact(study.Baseline.ToJson())}\n\n");
        text.Append("Knobs:\n");
        foreach (var knob in agenda.Knobs)
            text.Append(CultureInfo.InvariantCulture, $"- {knob.Path}: {knob.Describe()}\n");
        text.Append(CultureInfo.InvariantCulture, $"\nConstraints: at most {agenda.Constraints.MaxSeeds} seeds and {agenda.Constraints.MaxExperiments} experiments per proposal");
        if (agenda.Constraints.MaxParams is { } p)
            text.Append(CultureInfo.InvariantCulture, $"; models of at most {p:N0} parameters (the N of 6N)");
        text.Append(".\n");
        if (agenda.Guidance.Length > 0)
            text.Append("\nGuidance from the people who wrote the agenda:\n").Append(agenda.Guidance).Append('\n');
        return text.ToString();
    }

    /// <summary>The message that opens turn <paramref name="turn"/>, with the study's state.</summary>
    public static string Turn(int turn, int capacity, string state) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Turn {turn}. Free run slots now: {capacity}. Propose experiments for them if the budget allows, then end the turn with a short note.\n\nStudy state:\n{state}");

    private static string Compact(string json) => JsonNode.Parse(json)!.ToJsonString();
}
