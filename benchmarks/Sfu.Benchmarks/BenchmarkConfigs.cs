using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Sfu.Benchmarks;

/// <summary>The two ways to run the suite: a quick in-process pass and the full default run.</summary>
internal static class BenchmarkConfigs
{
    /// <summary>
    /// In-process (no generated project to build), 3 warm-up and 5 measured iterations of
    /// about 150 ms: the whole suite in about a minute on two cores. Good for spotting
    /// regressions and allocations, not for small differences.
    /// </summary>
    public static IConfig Quick()
    {
        Job job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithIterationTime(TimeInterval.FromMilliseconds(150))
            .WithId("Quick");
        return Common().AddJob(job);
    }

    /// <summary>BenchmarkDotNet's default job: separate process, automatic iteration counts.</summary>
    public static IConfig Full() => Common().AddJob(Job.Default.WithId("Full"));

    private static ManualConfig Common()
    {
        ManualConfig config = DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median);
        config.SummaryStyle = config.SummaryStyle.WithMaxParameterColumnWidth(24);
        return config;
    }
}
