using System.Diagnostics;
using PretrainLab.Lab.Store;

namespace PretrainLab.Lab.Scheduling;

/// <summary>Decides whether a run the store calls starting or running still has a live worker.</summary>
public static class RunLiveness
{
    /// <summary>
    /// Why the active <paramref name="run"/> is orphaned, or null when its worker may still be alive: its process on
    /// this machine is gone, or (on any machine) its last heartbeat is older than <paramref name="staleAfter"/>, which
    /// also covers a hung worker and a process id reused by another program.
    /// </summary>
    public static string? OrphanReason(RunRecord run, DateTimeOffset now, TimeSpan staleAfter, string host)
    {
        if (!run.State.IsActive())
            return null;
        if (run.WorkerHost == host && run.WorkerPid is { } pid && !IsAlive(pid))
            return $"its worker (pid {pid}) is gone";
        var age = now - (run.HeartbeatAt ?? run.CreatedAt);
        return age > staleAfter ? $"no heartbeat from its worker for {age.TotalSeconds:F0} s" : null;
    }

    /// <summary>Whether process <paramref name="pid"/> exists on this machine and has not exited (a zombie has).</summary>
    public static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            // A killed worker whose parent died stays a zombie until reaped, and zombies answer kill(pid, 0).
            var stat = $"/proc/{pid}/stat";
            try
            {
                var text = File.ReadAllText(stat);
                var state = text[(text.LastIndexOf(')') + 2)..].TrimStart()[0];
                return state is not ('Z' or 'X');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                return false;
            }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
