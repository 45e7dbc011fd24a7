using System.Reflection;
using PretrainLab.Lab.Scheduling;

namespace PretrainLab.Cli.Commands;

/// <summary>How this plab starts more of itself as worker processes.</summary>
internal static class PlabExecutable
{
    /// <summary>
    /// The running executable: <c>plab</c> as installed (an apphost), or <c>dotnet plab.dll</c> when run through the
    /// dotnet host, as <c>dotnet run</c> and the tests do.
    /// </summary>
    public static WorkerLauncher Launcher()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running executable is unknown");
        return Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? new WorkerLauncher(host, [(Assembly.GetEntryAssembly() ?? typeof(PlabExecutable).Assembly).Location])
            : new WorkerLauncher(host, []);
    }
}
