using BenchmarkDotNet.Attributes;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// One received 1,200-byte SRTP video packet forwarded to N subscribers: demultiplex, unprotect
/// and parse once, then per subscriber decide (sequence/timestamp translation), rewrite the
/// header and its extensions and protect with that subscriber's keys. No socket: see
/// <see cref="UdpFanOutBenchmarks"/> for the send. Mean / N is the cost per sent copy.
/// </summary>
/// <remarks>
/// The publisher stream comes from a ring refilled before each iteration, so the receiver
/// context sees fresh indices only (see <see cref="SrtpUnprotectBenchmarks"/>).
/// </remarks>
[BenchmarkCategory(BenchmarkCategories.HotPath)]
[InvocationCount(RingCapacity, 1)]
public class FanOutBenchmarks : IDisposable
{
    /// <summary>Operations per iteration; also the ring size.</summary>
    public const int RingCapacity = 8192;

    private FanOutPipeline? _pipeline;

    [Params(1, 10, 100)]
    public int Subscribers { get; set; }

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup() => _pipeline = new FanOutPipeline(Profile, Subscribers, RingCapacity);

    [IterationSetup]
    public void Refill() => _pipeline!.Refill();

    [GlobalCleanup]
    public void Dispose()
    {
        _pipeline?.Dispose();
        _pipeline = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns the SRTP bytes produced for all subscribers (N × 1,210 or N × 1,216).</summary>
    [Benchmark]
    public int Forward() => _pipeline!.ForwardNext();

    /// <summary>For the smoke test.</summary>
    internal FanOutPipeline Pipeline => _pipeline!;
}
