using BenchmarkDotNet.Attributes;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// One received 1,200-byte SRTP video packet forwarded to N subscribers through the real
/// engine (<see cref="BenchRoom"/>): demultiplex, unprotect and parse once, receive-stream
/// bookkeeping (statistics, NACK tracking, retransmission buffer, keyframe detection), then per
/// subscriber decide, rewrite the header and its extensions, protect with that subscriber's
/// DTLS-derived keys and queue the datagram. No socket: the system calls are measured by
/// <see cref="DatagramSendBenchmarks"/>. Mean / N is the cost per sent copy.
/// </summary>
/// <remarks>
/// The publisher stream comes from a ring refilled before each iteration, so the receiver
/// context sees fresh indices only (see <see cref="SrtpUnprotectBenchmarks"/>).
/// </remarks>
[BenchmarkCategory(BenchmarkCategories.HotPath)]
[InvocationCount(RingCapacity, 1)]
public class FanOutBenchmarks : BenchRoomBenchmarks
{
    /// <summary>Operations per iteration; also the ring size.</summary>
    public const int RingCapacity = 8192;

    [Params(1, 10, 50)]
    public int Subscribers { get; set; }

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup() => Use(BenchRoom.CreateAsync(Profile, Subscribers, RingCapacity).GetAwaiter().GetResult());

    /// <summary>Returns the SRTP bytes sent to all subscribers (N × 1,186 or N × 1,192: extensions the subscribers did not negotiate are dropped).</summary>
    [Benchmark]
    public int Forward() => Room.ForwardVideo();
}
