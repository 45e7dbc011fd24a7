using PretrainLab.Lab.Datasets;
using PretrainLab.Lab.Recipes;
using PretrainLab.Lab.Store;

namespace PretrainLab.Cli.Commands;

/// <summary>Turns the exceptions users can cause into one clear line each and an exit code, never a stack trace.</summary>
internal static class CommandErrors
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (RecipeException e)
        {
            foreach (var error in e.Errors)
                Console.Error.WriteLine($"error: {error}");
            return ExitCodes.Usage;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (StoreException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (DatasetConfigException e)
        {
            foreach (var error in e.Errors)
                Console.Error.WriteLine($"error: {error}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
