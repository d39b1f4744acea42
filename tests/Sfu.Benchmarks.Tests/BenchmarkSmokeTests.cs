using Sfu.Core.Srtp;

namespace Sfu.Benchmarks.Tests;

/// <summary>
/// Every benchmark method, with every parameter combination, run a few hundred times in
/// process: it must produce a sane result each time and, on the hot path, allocate nothing
/// once warmed up. No speed is asserted.
/// </summary>
public sealed class BenchmarkSmokeTests
{
    private const int WarmUpCalls = 200;
    private const int MeasuredCalls = 500;

    public static TheoryData<string> Cases => [.. BenchmarkCase.All().Select(c => c.Name)];

    [Fact]
    public void Discovery_finds_every_benchmark_class()
    {
        string[] names = [.. BenchmarkCase.All().Select(c => c.Name)];

        // 2 parse + 1 rewrite + 4 protect + 4 unprotect + 2 forged + 6 fan-out + 1 room fan-out + 2 send + 2 RTCP + 6 baseline.
        Assert.Equal(30, names.Length);
        Assert.Contains("FanOutBenchmarks.Forward(Subscribers=50, Profile=AeadAes128Gcm)", names);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Benchmark_produces_sane_results_and_allocates_nothing_when_hot(string name)
    {
        using BenchmarkCase benchmark = BenchmarkCase.Create(name);
        bool rejection = benchmark.Categories.Contains(BenchmarkCategories.Rejection);

        benchmark.RunIteration(WarmUpCalls, result =>
        {
            if (rejection)
            {
                Assert.Equal((int)SrtpResult.AuthenticationFailed, result);
            }
            else
            {
                Assert.True(result > 0, $"{name} returned {result}.");
            }
        });

        long allocated = benchmark.MeasureAllocatedBytes(MeasuredCalls);
        if (benchmark.Categories.Contains(BenchmarkCategories.HotPath))
        {
            Assert.Equal(0, allocated);
        }
    }

    [Fact]
    public void Forged_packet_rejection_allocates_nothing_with_aes_cm()
    {
        using BenchmarkCase benchmark = BenchmarkCase.Create("SrtpForgedPacketBenchmarks.UnprotectForged(Profile=Aes128CmHmacSha1_80)");
        benchmark.RunIteration(WarmUpCalls);

        Assert.Equal(0, benchmark.MeasureAllocatedBytes(MeasuredCalls));
    }
}
