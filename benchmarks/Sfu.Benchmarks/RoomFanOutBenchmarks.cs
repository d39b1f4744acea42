using BenchmarkDotNet.Attributes;
using Sfu.Core.Srtp;
using Sfu.Core.Streams;

namespace Sfu.Benchmarks;

/// <summary>
/// A room with three publishers and 50 members who receive them all: each call forwards the next
/// 1,200-byte video packet of the publishers in turn through the real engine (<see cref="BenchRoom"/>),
/// as in a meeting where three people speak, so each subscriber's outbound SRTP context serves
/// several SSRCs from one packet to the next. Mean / 52 is the cost per sent copy (each
/// publisher's packet also goes to the other two).
/// </summary>
[BenchmarkCategory(BenchmarkCategories.HotPath)]
[InvocationCount(FanOutBenchmarks.RingCapacity, 1)]
public class RoomFanOutBenchmarks : BenchRoomBenchmarks
{
    public const int Publishers = 3;

    [Params(50)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchRoom room = Use(BenchRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, Subscribers, FanOutBenchmarks.RingCapacity, publishers: Publishers).GetAwaiter().GetResult());

        // Each publisher's retransmission buffer takes its pages as its first packets arrive
        // (once per stream, not per packet): past them before anything is measured.
        room.Refill();
        for (int i = 0; i < Publishers * RetransmissionBuffer.DefaultCapacity; i++)
        {
            room.ForwardVideoInTurn();
        }
    }

    /// <summary>Returns the SRTP bytes sent for one publisher's packet.</summary>
    [Benchmark]
    public int ForwardInTurn() => Room.ForwardVideoInTurn();
}
