using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// Entry point. <c>--quick</c> runs the short in-process job and then prints packets per
/// second per core; without it BenchmarkDotNet's full default job runs. <c>--pps</c> prints
/// only the throughput figure. <c>--saturation</c> prints how fast one room forwards with its
/// fan-out on one thread and shared with helper threads. Other arguments (e.g.
/// <c>--filter *FanOut*</c>) go to BenchmarkDotNet.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        bool quick = Array.IndexOf(args, "--quick") >= 0;
        bool ppsOnly = Array.IndexOf(args, "--pps") >= 0;
        if (Array.IndexOf(args, "--saturation") >= 0)
        {
            int at = Array.IndexOf(args, "--shard");
            PrintSaturation(at >= 0 ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : Sfu.Core.Routing.FanOutWorkers.DefaultShardSize);
            return 0;
        }

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

    /// <summary>
    /// One room's fan-out with 0 and 1 helper threads (and more where the machine has the cores),
    /// alternating, three rounds, AES-GCM: how many packets one publisher can push through one
    /// room before its media thread saturates, and what each copy costs in CPU.
    /// </summary>
    private static void PrintSaturation(int shard)
    {
        Console.WriteLine($"One room, 1,200-byte SRTP video (AES-GCM), no socket: fan-out on one thread against shared with helpers (shards of {shard})");
        int most = Math.Max(1, Environment.ProcessorCount - 1);
        for (int round = 1; round <= 3; round++)
        {
            foreach (int subscribers in (ReadOnlySpan<int>)[50, 200])
            {
                for (int helpers = 0; helpers <= most; helpers++)
                {
                    Console.WriteLine($"  round {round}: " + PacketsPerSecond.Measure(SrtpProfile.AeadAes128Gcm, subscribers, TimeSpan.FromSeconds(3), helpers, shard));
                }

                // The control: two rooms at once, nothing shared; what each loses is the machine's.
                (ThroughputResult first, ThroughputResult second) = PacketsPerSecond.MeasureTwoRooms(SrtpProfile.AeadAes128Gcm, subscribers, TimeSpan.FromSeconds(3));
                Console.WriteLine($"  round {round}: two rooms at once, room 1: {first}");
                Console.WriteLine($"  round {round}: two rooms at once, room 2: {second}");
            }
        }
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
