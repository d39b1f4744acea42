using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Srtp;
using Sfu.Testing;

namespace Sfu.Benchmarks.Tests;

/// <summary>
/// The forwarding path allocates nothing per packet: checked on the real engine
/// (<see cref="BenchRoom"/>: a room of 50 joined and keyed like browsers, every receive-side
/// concern on), not on a copy of it. Each packet's handling is measured on its own, so what
/// the test loop itself costs never counts.
/// </summary>
public sealed class RealPathAllocationTests
{
    private const int Subscribers = 49;
    private const int Packets = 100_000;
    private const int Ring = 4096;

    [Fact]
    public async Task Forwarding_audio_and_video_to_a_room_of_50_allocates_nothing_per_packet()
    {
        await using BenchRoom bench = await BenchRoom.CreateAsync(SrtpProfile.AeadAes128Gcm, Subscribers, Ring);
        EngineRoom room = bench.Room;

        // Warm up: JIT, the lazy retransmission buffer, first-packet bookkeeping.
        ForwardRing(bench);

        long allocated = 0;
        int measured = 0;
        for (; measured < Packets; measured += Ring)
        {
            bench.Refill();
            allocated += ForwardRing(bench);
        }

        Assert.Equal(0, allocated);
        Assert.True(measured >= Packets);
        long forwarded = room.Engine.Counters.PacketsForwarded(MediaKind.Video) + room.Engine.Counters.PacketsForwarded(MediaKind.Audio);
        Assert.True(forwarded >= (long)(measured + Ring) * Subscribers, $"only {forwarded} packets were forwarded");
        Assert.All(room.Subscribers, s => Assert.True(s.MediaReceived >= measured, $"a subscriber received {s.MediaReceived}"));
        Assert.True(room.Publisher.Participant!.Producers.Single(p => p.Kind == MediaKind.Audio).AudioLevel!.Take().Packets > 0, "audio levels were not read");
    }

    /// <summary>One ring of packets, one audio in eight; returns the bytes their handling allocated.</summary>
    private static long ForwardRing(BenchRoom bench)
    {
        long allocated = 0;
        for (int i = 0; i < Ring; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int sent = (i & 7) == 0 ? bench.ForwardAudio() : bench.ForwardVideo();
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            if (sent <= 0)
            {
                string drops = string.Join(", ", Enum.GetValues<DropReason>().Select(r => $"{r}={bench.Room.Engine.Counters.DroppedCount(r)}"));
                throw new InvalidOperationException($"packet {i} was not forwarded; drops: {drops}");
            }
        }

        return allocated;
    }
}
