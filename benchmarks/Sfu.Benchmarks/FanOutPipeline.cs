using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// The forwarding hot loop for one received packet, on Core's types: demultiplex
/// (<c>SfuEngine.OnDatagram</c>), look the peer up by address, unprotect once and parse
/// (<c>PeerTransport.OnSrtp</c>), count and detect keyframes (<c>Producer.Forward</c>), then
/// rewrite and protect per subscriber (<see cref="FanOutSubscriber"/>). With a port, every
/// copy is also sent as a UDP datagram to a sink on 127.0.0.1.
/// </summary>
internal sealed class FanOutPipeline : IDisposable
{
    private const byte PublisherKeySeed = 1;

    private readonly ProtectedPacketRing _ring;
    private readonly SrtpContext _inbound;
    private readonly ImmutableArray<FanOutSubscriber> _subscribers;
    private readonly ConcurrentDictionary<SocketAddress, SrtpContext> _byAddress = new();
    private readonly SocketAddress _source;
    private readonly byte[] _receive = new byte[UdpMediaPort.ReceiveBufferSize];
    private readonly byte[] _scratch = new byte[UdpMediaPort.ReceiveBufferSize + 64];
    private readonly MediaCounters _counters = new();
    private int _lastSentLength;

    public FanOutPipeline(SrtpProfile profile, int subscriberCount, int ringCapacity, UdpMediaPort? port = null, SocketAddress? destination = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(subscriberCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subscriberCount, 200);
        Profile = profile;
        _ring = new ProtectedPacketRing(profile, PublisherKeySeed, TestMedia.VideoPacket(TestMedia.FullPayloadLength), ringCapacity);
        _inbound = TestMedia.CreateContext(profile, PublisherKeySeed);
        _source = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 50_000).Serialize();
        _byAddress[_source] = _inbound;

        var subscribers = ImmutableArray.CreateBuilder<FanOutSubscriber>(subscriberCount);
        for (int i = 0; i < subscriberCount; i++)
        {
            subscribers.Add(new FanOutSubscriber(
                profile,
                SubscriberKeySeed(i),
                ssrc: 0x5000_0000u + (uint)i,
                initialSequenceNumber: (ushort)(i * 977),
                initialTimestamp: (uint)i * 123_457u,
                port,
                destination));
        }

        _subscribers = subscribers.MoveToImmutable();
    }

    public SrtpProfile Profile { get; }

    public int SubscriberCount => _subscribers.Length;

    public ImmutableArray<FanOutSubscriber> Subscribers => _subscribers;

    public int RingCapacity => _ring.Capacity;

    public MediaCounters Counters => _counters;

    /// <summary>The SRTP packet most recently sent (to the last subscriber), valid until the next call.</summary>
    public ReadOnlySpan<byte> LastSent => _scratch.AsSpan(0, _lastSentLength);

    /// <summary>The key seed of subscriber <paramref name="index"/>'s outbound context.</summary>
    public static byte SubscriberKeySeed(int index) => (byte)(10 + index);

    /// <summary>Prepares the next ring of publisher packets (outside any measurement).</summary>
    public void Refill() => _ring.Refill();

    /// <summary>
    /// Receives the next publisher packet and forwards it to every subscriber. Returns the
    /// SRTP bytes produced for all subscribers together, or -1 when the packet was dropped.
    /// </summary>
    public int ForwardNext()
    {
        // The kernel's copy into the loop's receive buffer.
        ReadOnlySpan<byte> wire = _ring.Next();
        wire.CopyTo(_receive);
        Span<byte> datagram = _receive.AsSpan(0, wire.Length);

        // SfuEngine.OnDatagram: classify by first byte (RFC 7983), find the peer by address.
        if (PacketClassifier.Classify(datagram) != PacketKind.RtpOrRtcp
            || !_byAddress.TryGetValue(_source, out SrtpContext? inbound)
            || PacketClassifier.IsRtcp(datagram))
        {
            return -1;
        }

        // PeerTransport.OnSrtp: unprotect once, parse once.
        if (inbound.UnprotectRtp(datagram, out int length) != SrtpResult.Ok)
        {
            return -1;
        }

        ReadOnlySpan<byte> packet = datagram[..length];
        if (RtpPacket.TryParse(packet, out RtpPacket view) != RtpParseResult.Ok)
        {
            return -1;
        }

        // Producer.Forward: count, detect a keyframe once, fan out over the snapshot.
        _counters.RtpReceived(MediaKind.Video, packet.Length);
        bool isKeyframe = view.Payload.Length > 0 && VideoKeyframe.IsKeyframe(view.Payload, VideoCodecKind.Vp8);
        int total = 0;
        ImmutableArray<FanOutSubscriber> subscribers = _subscribers;
        foreach (FanOutSubscriber subscriber in subscribers)
        {
            int sent = subscriber.Send(packet, view, isKeyframe, _scratch, _counters);
            _lastSentLength = sent;
            total += sent;
        }

        return total;
    }

    public void Dispose()
    {
        _ring.Dispose();
        _inbound.Dispose();
        foreach (FanOutSubscriber subscriber in _subscribers)
        {
            subscriber.Dispose();
        }
    }
}
