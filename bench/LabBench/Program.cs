using System.Globalization;
using LabBench;

// bench/LabBench: the lab's own costs, outside the test suite.
//   dotnet run -c Release --project bench/LabBench -- store [--store S] [--runs N] [--points N]
//   dotnet run -c Release --project bench/LabBench -- overhead --plab PATH/plab.dll [--runs N] [--seconds S]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var mode = args.FirstOrDefault();
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
return mode switch
{
    "store" => StoreBenchmark.Run(Arg("--store"), int.Parse(Arg("--runs") ?? "10000"), int.Parse(Arg("--points") ?? "1000")),
    "overhead" => OverheadBenchmark.Run(Arg("--plab") ?? throw new ArgumentException("--plab PATH/plab.dll is required"),
        int.Parse(Arg("--runs") ?? "4"), double.Parse(Arg("--seconds") ?? "30", CultureInfo.InvariantCulture), int.Parse(Arg("--slots") ?? "1")),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: LabBench store [--store S] [--runs N] [--points N] | overhead --plab PATH/plab.dll [--runs N] [--seconds S] [--slots N]");
    return 2;
}
