using System.Diagnostics;
using System.Text;

namespace PretrainLab.Cli.Tests;

/// <summary>Runs the built <c>plab</c> as a user would, capturing exit code, stdout and stderr.</summary>
internal static class PlabProcess
{
    public static (int ExitCode, string StdOut, string StdErr) Run(string workingDirectory, params string[] args) =>
        RunWithInput(workingDirectory, input: null, args);

    /// <summary>As <see cref="Run"/>, with <paramref name="input"/> (UTF-8) piped to stdin.</summary>
    public static (int ExitCode, string StdOut, string StdErr) RunWithInput(string workingDirectory, string? input, params string[] args)
    {
        using var process = Start(workingDirectory, new Dictionary<string, string>(), input is not null, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            // Raw UTF-8 without a byte order mark, as a shell pipe delivers it.
            process.StandardInput.BaseStream.Write(Encoding.UTF8.GetBytes(input));
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"plab {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts plab without waiting; the caller reads or discards its output and disposes it.</summary>
    public static Process Start(string workingDirectory, params string[] args) =>
        Start(workingDirectory, new Dictionary<string, string>(), redirectInput: false, args);

    /// <summary>Starts plab with <paramref name="environment"/> added to its environment.</summary>
    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Start(workingDirectory, environment, redirectInput: false, args);

    private static Process Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, bool redirectInput, string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        // The tests name their stores and researchers; a developer's own PLAB_STORE or API keys must not leak into them.
        foreach (var variable in new[] { "PLAB_STORE", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL" })
            start.Environment.Remove(variable);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "plab.dll"));
        foreach (var a in args)
            start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    /// <summary>The repository root: the nearest folder above the test assembly holding PretrainLab.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PretrainLab.slnx")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No PretrainLab.slnx above {AppContext.BaseDirectory}.");
    }
}
