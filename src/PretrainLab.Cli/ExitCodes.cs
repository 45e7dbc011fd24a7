namespace PretrainLab.Cli;

/// <summary>Process exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked (a diverged run is a result, reported in its status).</summary>
    public const int Ok = 0;

    /// <summary>Something failed while running (I/O, a corrupt checkpoint).</summary>
    public const int Failure = 1;

    /// <summary>The input is wrong: bad arguments or an invalid recipe; nothing was computed.</summary>
    public const int Usage = 2;

    /// <summary>Stopped by Ctrl+C after saving a checkpoint.</summary>
    public const int Cancelled = 130;
}
