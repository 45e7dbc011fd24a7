using System.CommandLine;
using PretrainLab.Lab.Scheduling;

namespace PretrainLab.Cli.Commands;

/// <summary>
/// The scheduler options of the commands that train runs in worker processes (<c>study run</c>, <c>research</c>,
/// <c>mcp</c>): <c>--slots</c>, <c>--cores</c>, optionally <c>--stale-after</c>, and the hidden <c>--heartbeat</c> and
/// <c>--poll</c> that tests shorten.
/// </summary>
internal sealed class SchedulerArguments
{
    private readonly Option<int> _slots;
    private readonly Option<int> _cores;
    private readonly Option<double>? _staleAfter;
    private readonly Option<double> _heartbeat =
        new("--heartbeat") { Description = "Seconds between a worker's heartbeats.", DefaultValueFactory = _ => 1, Hidden = true };
    private readonly Option<double> _poll =
        new("--poll") { Description = "Seconds between the lab's looks at the store.", DefaultValueFactory = _ => 0.25, Hidden = true };

    /// <summary>The options, with the command's own words for <c>--slots</c> and <c>--cores</c>.</summary>
    public SchedulerArguments(string slots, string cores, bool staleAfter)
    {
        _slots = new Option<int>("--slots") { Description = slots, DefaultValueFactory = _ => 1 };
        _cores = new Option<int>("--cores") { Description = cores, DefaultValueFactory = _ => Environment.ProcessorCount };
        if (staleAfter)
        {
            _staleAfter = new Option<double>("--stale-after")
            {
                Description = "Seconds without a heartbeat after which a running run is taken as orphaned.",
                DefaultValueFactory = _ => 60,
            };
        }
    }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_slots);
        command.Options.Add(_cores);
        if (_staleAfter is not null)
            command.Options.Add(_staleAfter);
        command.Options.Add(_heartbeat);
        command.Options.Add(_poll);
    }

    /// <summary>The scheduler options the command line asks for.</summary>
    /// <exception cref="UsageException">A count below 1 or a duration that is not positive.</exception>
    public SchedulerOptions Read(ParseResult parse)
    {
        var options = new SchedulerOptions
        {
            Slots = parse.GetValue(_slots),
            Cores = parse.GetValue(_cores),
            Heartbeat = TimeSpan.FromSeconds(parse.GetValue(_heartbeat)),
            Poll = TimeSpan.FromSeconds(parse.GetValue(_poll)),
        };
        if (_staleAfter is not null)
            options = options with { StaleAfter = TimeSpan.FromSeconds(parse.GetValue(_staleAfter)) };
        if (options.Slots < 1 || options.Cores < 1 || options.StaleAfter <= TimeSpan.Zero || options.Heartbeat <= TimeSpan.Zero || options.Poll <= TimeSpan.Zero)
            throw new UsageException(_staleAfter is null
                ? "--slots and --cores must be at least 1, --heartbeat and --poll positive"
                : "--slots and --cores must be at least 1, --stale-after, --heartbeat and --poll positive");
        return options;
    }
}
