namespace PretrainLab.Engine.Compute;

/// <summary>
/// Work over a range of independent rows, as a struct so that the parallel driver calls it without
/// delegates or boxing. Each row must write only its own outputs, which is what makes results
/// independent of the thread count.
/// </summary>
public interface IRowOperation
{
    /// <summary>Processes rows [<paramref name="start"/>, <paramref name="end"/>).</summary>
    void Invoke(int start, int end);
}
