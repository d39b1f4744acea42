using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Sfu.Core;
using Sfu.Core.Dtls;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// A room on the real engine with one publisher and N subscribers, every one joined,
/// negotiated, ICE-checked and DTLS-keyed the way a browser does it, on a
/// <see cref="MemoryDatagramPort"/> instead of a socket. <see cref="ForwardVideo"/> hands the
/// engine the publisher's next protected video packet and returns the bytes it sent: the real
/// <c>SfuEngine</c> → <c>PeerTransport</c> → <c>Producer</c> → <c>DownTrack</c> path, with
/// statistics, NACK tracking, the retransmission buffer, keyframe detection, audio levels and
/// per-subscriber rewrite and SRTP. Nothing here mirrors that path.
/// </summary>
internal sealed class EngineRoom : IAsyncDisposable
{
    private const string RoomName = "bench";

    private readonly SfuEngine _engine;
    private readonly MemoryDatagramPort _port = new();
    private readonly List<EnginePeer> _peers = [];
    private readonly byte[] _receive = new byte[UdpMediaPort.ReceiveBufferSize];
    private ProtectedPacketRing? _video;
    private ProtectedPacketRing? _audio;

    private EngineRoom(SrtpProfile profile)
    {
        // Nobody sends consent checks while a benchmark runs: keep sessions for its whole length.
        var options = new SfuOptions { Port = 0, ConsentTimeoutSeconds = 3600 };
        options.SrtpProfiles.Add(profile.ToString());
        _engine = new SfuEngine(options, NullLoggerFactory.Instance);
        _engine.Start(_port);
        Profile = profile;
    }

    public SrtpProfile Profile { get; }

    public SfuEngine Engine => _engine;

    public MemoryDatagramPort Port => _port;

    public EnginePeer Publisher => _peers[0];

    public IReadOnlyList<EnginePeer> Subscribers => _peers.GetRange(1, _peers.Count - 1);

    /// <summary>Joins a publisher and <paramref name="subscribers"/> subscribers and connects them all.</summary>
    public static async Task<EngineRoom> CreateAsync(SrtpProfile profile, int subscribers, int ringCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(subscribers, 1);
        var room = new EngineRoom(profile);
        try
        {
            await room.ConnectAsync(subscribers).ConfigureAwait(false);
            room._video = new ProtectedPacketRing(room.Publisher.Outbound!, TestMedia.VideoPacket(TestMedia.FullPayloadLength, ssrc: room.Publisher.VideoSsrc), ringCapacity);
            room._audio = new ProtectedPacketRing(room.Publisher.Outbound!, TestMedia.AudioPacket(room.Publisher.AudioSsrc), ringCapacity);
            return room;
        }
        catch
        {
            await room.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Prepares the next rings of publisher packets (outside any measurement).</summary>
    public void Refill()
    {
        _video!.Refill();
        _audio!.Refill();
    }

    /// <summary>The publisher's next video packet through the engine; returns the bytes the engine sent.</summary>
    public int ForwardVideo() => Forward(_video!);

    /// <summary>The publisher's next audio packet (with its RFC 6464 level) through the engine.</summary>
    public int ForwardAudio() => Forward(_audio!);

    private int Forward(ProtectedPacketRing ring)
    {
        long before = _port.SentBytes;
        ReadOnlySpan<byte> wire = ring.Next();
        wire.CopyTo(_receive);
        _port.Deliver(_receive.AsSpan(0, wire.Length), Publisher.Address);
        return (int)(_port.SentBytes - before);
    }

    private async Task ConnectAsync(int subscribers)
    {
        DtlsCertificate certificate = DtlsCertificate.Generate();
        for (int i = 0; i <= subscribers; i++)
        {
            var peer = new EnginePeer(i, _port, certificate);
            _peers.Add(peer);
            peer.Participant = _engine.Join(RoomName, i == 0 ? "publisher" : $"subscriber-{i}", peer);
            peer.Participant.HandleOffer(peer.Offer(publish: i == 0));
        }

        // Server offers follow each join; answer until the room is settled.
        while (_peers.Sum(p => p.AnswerPending()) > 0)
        {
        }

        foreach (EnginePeer peer in _peers)
        {
            byte[] check = peer.BindingRequest();
            _port.Deliver(check, peer.Address);
        }

        var options = new DtlsTransportOptions { SrtpProfiles = [Profile] };
        Task<DtlsHandshakeResult>[] handshakes = [.. _peers.Select(p => p.StartDtls(options))];
        var clock = Stopwatch.StartNew();
        while (!handshakes.All(h => h.IsCompleted) || !_peers.All(p => p.Participant!.Transport.IsConnected))
        {
            if (_port.DeliverPending() == 0)
            {
                await Task.Delay(1).ConfigureAwait(false);
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("The benchmark room did not connect within 60 s.");
            }
        }

        for (int i = 0; i < _peers.Count; i++)
        {
            DtlsHandshakeResult result = await handshakes[i].ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"Peer {i}: DTLS failed: {result.ErrorMessage}");
            }

            _peers[i].InstallKeys(result);
        }

        Participant publisher = Publisher.Participant!;
        if (publisher.Producers.Length != 2 || Subscribers.Any(s => s.Participant!.DownTracks.Count(d => d.IsActive) != 2))
        {
            throw new InvalidOperationException("The benchmark room did not negotiate every subscription.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync().ConfigureAwait(false);
        _video?.Dispose();
        _audio?.Dispose();
        foreach (EnginePeer peer in _peers)
        {
            peer.Dispose();
        }
    }
}
