using PretrainLab.Lab.Store;
using PretrainLab.Research.Agendas;
using PretrainLab.Research.Studies;

namespace PretrainLab.Research.Tests;

/// <summary>
/// A temporary folder with a small corpus, a tiny recipe (1 layer, 16 wide, context 8), an agenda over it and the
/// store <c>plab.db</c>.
/// </summary>
public sealed class ResearchFolder : IDisposable
{
    public const string DefaultAgenda = """
        ---
        name: tiny
        objective: {metric: val_bpb, direction: minimize}
        baseline: tiny.yaml
        per_run: {steps: 40}
        budget: {runs: 30}
        seeds: {noise: 3, experiment: 1, confirm: 3}
        knobs:
          optim.lr: {type: log_float, min: 1e-4, max: 1e-1}
          model.n_layer: {type: int, min: 1, max: 3}
          model.activation: [gelu, relu2]
          optim.weight_decay: {type: float, min: 0, max: 0.2}
        constraints: {max_params: 100000, max_seeds: 3}
        ---
        Start with the learning rate.
        """;

    public ResearchFolder(string agenda = DefaultAgenda)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("plab-research-").FullName;
        Write("corpus.txt", string.Concat(Enumerable.Range(0, 400).Select(i => $"Line {i}: to be, or not to be, that is the question {i % 7}.\n")));
        Write("tiny.yaml", """
            name: tiny
            seed: 1
            model: {n_layer: 1, n_head: 2, n_embd: 16, block_size: 8, vocab_size: 256}
            data: {format: text, path: corpus.txt}
            train: {batch_size: 4, checkpoint_interval: 10, threads: 1}
            budget: {steps: 40}
            eval: {interval: 10, tokens: 256}
            """);
        Write("agenda.md", agenda);
    }

    public string Directory { get; }

    public string StorePath => Path.Combine(Directory, LabStore.DefaultFileName);

    public string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public Agenda LoadAgenda(string name = "agenda.md") => AgendaFile.Load(Path.Combine(Directory, name));

    public ILabStore OpenStore() => LabStore.Open(StorePath);

    public ResearchStudy OpenStudy(ILabStore store, string agenda = "agenda.md") =>
        ResearchStudy.Open(store, LoadAgenda(agenda), Path.Combine(Directory, "runs"));

    public void Dispose()
    {
        for (var i = 0; ; i++)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
                return;
            }
            catch (IOException) when (i < 20)
            {
                Thread.Sleep(250);
            }
        }
    }
}
