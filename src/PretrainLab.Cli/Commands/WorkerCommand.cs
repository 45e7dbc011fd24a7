using System.CommandLine;
using PretrainLab.Lab.Scheduling;
using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Commands;

/// <summary>
/// <c>plab worker --run ID --attempt N</c> (hidden): trains one attempt of one run for <c>plab study run</c>, which
/// passes the store in <c>PLAB_STORE</c>. Exit code 0 when the outcome (including a failure) is recorded, 3 when the
/// attempt no longer owns the run.
/// </summary>
internal static class WorkerCommand
{
    public const int Superseded = 3;

    public static Command Create()
    {
        var run = new Option<long>("--run") { Description = "The run id.", Required = true };
        var attempt = new Option<long>("--attempt") { Description = "The attempt the lab began for this worker.", Required = true };
        var heartbeat = new Option<double>("--heartbeat") { Description = "Seconds between heartbeats.", DefaultValueFactory = _ => 1.0 };
        var store = StoreOption.Create();
        var command = new Command("worker", "Train one run of a study in this process (started by 'plab study run').")
        {
            run, attempt, heartbeat, store,
        };
        command.Hidden = true;
        // On the thread pool: System.CommandLine installs its Ctrl+C handler only once the action has returned its
        // task, so work done before returning could not be cancelled, only killed.
        command.SetAction((parse, cancellation) => Task.Run(() => CommandErrors.Run(() =>
        {
            using var lab = LabStore.Open(parse.GetValue(store));
            var outcome = RunWorker.Run(lab, parse.GetValue(run), parse.GetValue(attempt),
                TimeSpan.FromSeconds(parse.GetValue(heartbeat)), cancellation);
            return outcome is null ? Superseded : ExitCodes.Ok;
        })));
        return command;
    }
}
