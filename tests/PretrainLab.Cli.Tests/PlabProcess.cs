using System.Diagnostics;

namespace PretrainLab.Cli.Tests;

/// <summary>Runs the built <c>plab</c> as a user would, capturing exit code, stdout and stderr.</summary>
internal static class PlabProcess
{
    public static (int ExitCode, string StdOut, string StdErr) Run(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"plab {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts plab without waiting; the caller reads or discards its output and disposes it.</summary>
    public static Process Start(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The tests name their stores; a developer's own PLAB_STORE must not leak into them.
        start.Environment.Remove("PLAB_STORE");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "plab.dll"));
        foreach (var a in args)
            start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }
}
