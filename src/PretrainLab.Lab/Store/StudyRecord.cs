namespace PretrainLab.Lab.Store;

/// <summary>A stored study.</summary>
/// <param name="Id">Store-assigned id.</param>
/// <param name="Name">Unique name.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Objective">The validation metric decisions use (lower is better).</param>
/// <param name="Definition">The study's settings as JSON.</param>
/// <param name="RunsDirectory">Folder under which its run folders are created.</param>
public sealed record StudyRecord(
    long Id, string Name, DateTimeOffset CreatedAt, string Objective, string Definition, string RunsDirectory);
