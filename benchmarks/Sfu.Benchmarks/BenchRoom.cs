using Sfu.Core.Routing;
using Sfu.Core.Srtp;
using Sfu.Testing;

namespace Sfu.Benchmarks;

/// <summary>
/// An <see cref="EngineRoom"/> (the real engine, one publisher or a few, N subscribers keyed by
/// DTLS) with the publishers' audio and video prepared as protected rings, so a benchmark call
/// is one packet through the engine and nothing else.
/// </summary>
internal sealed class BenchRoom : IAsyncDisposable
{
    private readonly ProtectedPacketRing _video;
    private readonly ProtectedPacketRing _audio;
    private readonly ProtectedPacketRing[] _videos;
    private readonly EnginePeer[] _publishers;
    private int _nextVideo;

    private BenchRoom(EngineRoom room, int publishers, int ringCapacity, int uplinkLossEvery)
    {
        Room = room;
        _videos = [.. room.Peers.Take(publishers).Select(p => new ProtectedPacketRing(p.Outbound!, TestMedia.VideoPacket(TestMedia.FullPayloadLength, ssrc: p.VideoSsrc), ringCapacity, TestMedia.VideoTransportCcOffset, uplinkLossEvery))];
        _video = _videos[0];
        _publishers = [.. room.Peers.Take(publishers)];
        _audio = new ProtectedPacketRing(room.Publisher.Outbound!, TestMedia.AudioPacket(room.Publisher.AudioSsrc), ringCapacity);
    }

    public EngineRoom Room { get; }

    /// <param name="uplinkLossEvery">When above 0, every this many video packets one is lost on the publisher's uplink (the engine NACKs it).</param>
    /// <param name="fanOutThreads">Helper threads that share each fan-out with the delivering thread (0: none).</param>
    /// <param name="fanOutShard">Down-tracks a thread takes at a time when there are helpers.</param>
    /// <param name="publishers">Members that publish (the first; they receive each other too).</param>
    public static async Task<BenchRoom> CreateAsync(SrtpProfile profile, int subscribers, int ringCapacity, int uplinkLossEvery = 0, int fanOutThreads = 0, int fanOutShard = FanOutWorkers.DefaultShardSize, int publishers = 1)
        => new(await EngineRoom.CreateAsync(profile, subscribers, fanOutThreads: fanOutThreads, fanOutShard: fanOutShard, publishers: publishers).ConfigureAwait(false), publishers, ringCapacity, uplinkLossEvery);

    /// <summary>Prepares the next rings of publisher packets (outside any measurement).</summary>
    public void Refill()
    {
        foreach (ProtectedPacketRing video in _videos)
        {
            video.Refill();
        }

        _audio.Refill();
    }

    /// <summary>The first publisher's next video packet through the engine; returns the bytes the engine sent.</summary>
    public int ForwardVideo() => Forward(Room.Publisher, _video);

    /// <summary>The next video packet of each publisher in turn, as a room with several speakers sends them.</summary>
    public int ForwardVideoInTurn()
    {
        int publisher = _nextVideo;
        _nextVideo = (_nextVideo + 1) % _videos.Length;
        return Forward(_publishers[publisher], _videos[publisher]);
    }

    /// <summary>The publisher's next audio packet (with its RFC 6464 level) through the engine.</summary>
    public int ForwardAudio() => Forward(Room.Publisher, _audio);

    private int Forward(EnginePeer from, ProtectedPacketRing ring)
    {
        long before = Room.Port.SentBytes;
        Room.Deliver(from, ring.Next());
        return (int)(Room.Port.SentBytes - before);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ProtectedPacketRing video in _videos)
        {
            video.Dispose();
        }

        _audio.Dispose();
        await Room.DisposeAsync().ConfigureAwait(false);
    }
}
