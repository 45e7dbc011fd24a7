namespace PretrainLab.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.WriteLine("plab");
        return 0;
    }
}
