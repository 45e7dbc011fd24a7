namespace PretrainLab.Lab.Scheduling;

/// <summary>How a lab fills the machine with a study's runs.</summary>
public sealed record SchedulerOptions
{
    /// <summary>Runs trained at once, at least 1.</summary>
    public int Slots { get; init; } = 1;

    /// <summary>
    /// Cores the lab may use. A run takes its recipe's <c>train.threads</c>, or, when that is 0, an equal share:
    /// <see cref="Cores"/> / <see cref="Slots"/>. A run starts only when its cores are free.
    /// </summary>
    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// A running run whose heartbeat is older than this is orphaned even if its process seems alive (a hung worker,
    /// a reused process id, a worker on another machine).
    /// </summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often workers send heartbeats and metric batches to the store.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the lab looks at the store when no worker has ended.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the lab waits for its workers to checkpoint and exit after it is interrupted.</summary>
    public TimeSpan InterruptGrace { get; init; } = TimeSpan.FromSeconds(60);
}
