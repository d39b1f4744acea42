using Sfu.Core.Routing;
using Sfu.Core.Srtp;
using Sfu.Testing;

namespace Sfu.Benchmarks;

/// <summary>
/// An <see cref="EngineRoom"/> (the real engine, one publisher, N subscribers keyed by DTLS)
/// with the publisher's audio and video prepared as protected rings, so a benchmark call is one
/// packet through the engine and nothing else.
/// </summary>
internal sealed class BenchRoom : IAsyncDisposable
{
    private readonly ProtectedPacketRing _video;
    private readonly ProtectedPacketRing _audio;

    private BenchRoom(EngineRoom room, int ringCapacity, int uplinkLossEvery)
    {
        Room = room;
        _video = new ProtectedPacketRing(room.Publisher.Outbound!, TestMedia.VideoPacket(TestMedia.FullPayloadLength, ssrc: room.Publisher.VideoSsrc), ringCapacity, TestMedia.VideoTransportCcOffset, uplinkLossEvery);
        _audio = new ProtectedPacketRing(room.Publisher.Outbound!, TestMedia.AudioPacket(room.Publisher.AudioSsrc), ringCapacity);
    }

    public EngineRoom Room { get; }

    /// <param name="uplinkLossEvery">When above 0, every this many video packets one is lost on the publisher's uplink (the engine NACKs it).</param>
    /// <param name="fanOutThreads">Helper threads that share each fan-out with the delivering thread (0: none).</param>
    /// <param name="fanOutShard">Down-tracks a thread takes at a time when there are helpers.</param>
    public static async Task<BenchRoom> CreateAsync(SrtpProfile profile, int subscribers, int ringCapacity, int uplinkLossEvery = 0, int fanOutThreads = 0, int fanOutShard = FanOutWorkers.DefaultShardSize)
        => new(await EngineRoom.CreateAsync(profile, subscribers, fanOutThreads: fanOutThreads, fanOutShard: fanOutShard).ConfigureAwait(false), ringCapacity, uplinkLossEvery);

    /// <summary>Prepares the next rings of publisher packets (outside any measurement).</summary>
    public void Refill()
    {
        _video.Refill();
        _audio.Refill();
    }

    /// <summary>The publisher's next video packet through the engine; returns the bytes the engine sent.</summary>
    public int ForwardVideo() => Forward(_video);

    /// <summary>The publisher's next audio packet (with its RFC 6464 level) through the engine.</summary>
    public int ForwardAudio() => Forward(_audio);

    private int Forward(ProtectedPacketRing ring)
    {
        long before = Room.Port.SentBytes;
        Room.Deliver(Room.Publisher, ring.Next());
        return (int)(Room.Port.SentBytes - before);
    }

    public async ValueTask DisposeAsync()
    {
        _video.Dispose();
        _audio.Dispose();
        await Room.DisposeAsync().ConfigureAwait(false);
    }
}
