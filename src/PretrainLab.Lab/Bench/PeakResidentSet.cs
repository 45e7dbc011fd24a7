using System.Diagnostics;

namespace PretrainLab.Lab.Bench;

/// <summary>The process's peak resident memory, the figure that decides whether a run fits a machine.</summary>
public static class PeakResidentSet
{
    private const string Status = "/proc/self/status";

    /// <summary>
    /// Peak resident bytes: <c>VmHWM</c> from <c>/proc/self/status</c> on Linux, else
    /// <see cref="Process.PeakWorkingSet64"/>.
    /// </summary>
    public static long Read()
    {
        if (File.Exists(Status))
        {
            foreach (var line in File.ReadLines(Status))
            {
                // "VmHWM:     123456 kB"
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)
                    && long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out var kib))
                    return kib * 1024;
            }
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>
    /// Resets the Linux peak to the current resident size (writing 5 to <c>/proc/self/clear_refs</c>),
    /// so each of several benchmarks in one process reports its own peak. Where that is not possible
    /// the peak keeps covering the whole process so far.
    /// </summary>
    public static void Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // Not Linux, or not allowed: a best effort by design.
        }
    }
}
