namespace PretrainLab.Lab.Store;

/// <summary>One entry of a study's journal: an event the lab saw or a note a person or researcher wrote.</summary>
/// <param name="Id">Store-assigned id, increasing in the order entries were written.</param>
/// <param name="StudyId">The study.</param>
/// <param name="RunId">The run it is about, or null.</param>
/// <param name="At">When it was written.</param>
/// <param name="Kind">What it is, e.g. <c>event</c>, <c>note</c>, <c>finding</c>.</param>
/// <param name="Text">The entry.</param>
public sealed record JournalEntry(long Id, long StudyId, long? RunId, DateTimeOffset At, string Kind, string Text);
