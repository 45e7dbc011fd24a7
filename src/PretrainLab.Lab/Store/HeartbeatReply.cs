namespace PretrainLab.Lab.Store;

/// <summary>The store's answer to a worker's heartbeat.</summary>
/// <param name="Owned">False when the worker's attempt was superseded: it must stop writing and exit.</param>
/// <param name="StopRequest">A stop the lab asked for (<c>interrupt</c> or <c>prune</c>), or null to go on.</param>
public sealed record HeartbeatReply(bool Owned, string? StopRequest);
