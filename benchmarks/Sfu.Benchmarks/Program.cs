using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// Entry point. <c>--quick</c> runs the short in-process job and then prints packets per
/// second per core; without it BenchmarkDotNet's full default job runs. <c>--pps</c> prints
/// only the throughput figure. Other arguments (e.g. <c>--filter *FanOut*</c>) go to
/// BenchmarkDotNet.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        bool quick = Array.IndexOf(args, "--quick") >= 0;
        bool ppsOnly = Array.IndexOf(args, "--pps") >= 0;
        string[] rest = Array.FindAll(args, a => a is not "--quick" and not "--pps");

        if (!ppsOnly)
        {
            IConfig config = quick ? BenchmarkConfigs.Quick() : BenchmarkConfigs.Full();
            string[] switcherArgs = Array.IndexOf(rest, "--filter") >= 0 || Array.IndexOf(rest, "--list") >= 0
                ? rest
                : [.. rest, "--filter", "*"];
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(switcherArgs, config);
        }

        if (quick || ppsOnly)
        {
            PrintPacketsPerSecond();
        }

        return 0;
    }

    private static void PrintPacketsPerSecond()
    {
        Console.WriteLine();
        Console.WriteLine("Packets per second per core (one thread, 1,200-byte SRTP video, unprotect once + per subscriber rewrite + protect, no socket):");
        foreach (SrtpProfile profile in (ReadOnlySpan<SrtpProfile>)[SrtpProfile.AeadAes128Gcm, SrtpProfile.Aes128CmHmacSha1_80])
        {
            Console.WriteLine("  " + PacketsPerSecond.Measure(profile, subscribers: 10, TimeSpan.FromSeconds(2)));
        }
    }
}
