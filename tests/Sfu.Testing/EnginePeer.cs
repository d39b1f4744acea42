using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Sfu.Core;
using Sfu.Core.Dtls;
using Sfu.Core.Ice;
using Sfu.Core.Negotiation;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;

namespace Sfu.Testing;

/// <summary>
/// The far end of one participant, played in process against the real engine: it offers
/// Chromium-shaped SDP, answers the server's offers, makes the ICE check and runs a real DTLS
/// handshake as client (Core's own transport in the other role), then holds the SRTP contexts
/// that handshake keyed. What the engine sends it is counted, and the last media packet can be
/// decrypted to check what arrived.
/// </summary>
public sealed class EnginePeer : IParticipantEvents, IDtlsDatagramSender, IDisposable
{
    public const byte AudioPayloadType = 111;
    public const byte VideoPayloadType = 96;

    /// <summary>The RTX payload type (RFC 4588) a simulcast publisher offers for its video, as Chromium does.</summary>
    public const byte VideoRtxPayloadType = 97;
    public const byte MidExtensionId = 9;
    public const byte RidExtensionId = 10;
    public const byte RepairedRidExtensionId = 11;
    public const byte TransportCcExtensionId = 4;

    private readonly MemoryDatagramPort _port;
    private readonly DtlsCertificate _certificate;
    private readonly ConcurrentQueue<string> _offers = new();
    private readonly byte[] _lastMedia = new byte[UdpMediaPort.ReceiveBufferSize + 64];
    private readonly ConcurrentQueue<byte[]> _rtcp = new();
    private readonly ConcurrentQueue<byte[]> _media = new();
    private readonly long[] _transportArrivals = new long[TransportWideFeedbackWriter.MaxPackets];
    private DtlsTransport? _dtls;
    private SrtpContext? _rtcpOut;
    private SrtpProfile _profile;
    private byte[] _outKey = [];
    private byte[] _outSalt = [];
    private long _received;
    private int _lastMediaLength;
    private int _transportBase = -1;
    private int _transportCount;
    private byte _transportFeedbackCount;

    public EnginePeer(int index, MemoryDatagramPort port, DtlsCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(port);
        Index = index;
        _port = port;
        _certificate = certificate;
        Address = new IPEndPoint(IPAddress.Loopback, 20_000 + index).Serialize();
        AudioSsrc = 0x1000_0000u + ((uint)index * 2);
        VideoSsrc = AudioSsrc + 1;
        port.Register(this);
    }

    public int Index { get; }

    public SocketAddress Address { get; }

    public IceCredentials Ice { get; } = IceCredentials.Generate();

    public uint AudioSsrc { get; }

    public uint VideoSsrc { get; }

    public Participant? Participant { get; set; }

    /// <summary>Keys this peer protects its media with (client write key), once connected.</summary>
    public SrtpContext? Outbound { get; private set; }

    /// <summary>Keys for what the server sends it, once connected.</summary>
    public SrtpContext? Inbound { get; private set; }

    /// <summary>SRTP and SRTCP datagrams the engine sent this peer.</summary>
    public long MediaReceived => Volatile.Read(ref _received);

    public string? RemovedReason { get; private set; }

    /// <summary>The last media datagram the engine sent this peer (still protected).</summary>
    public ReadOnlySpan<byte> LastMedia => _lastMedia.AsSpan(0, _lastMediaLength);

    /// <summary>Whether SRTCP from the engine is kept for <see cref="TakeRtcp"/> (off for benchmarks).</summary>
    public bool KeepRtcp { get; set; }

    /// <summary>
    /// Whether the arrival of every packet carrying our transport-wide sequence number is
    /// recorded for <see cref="ReceiverFeedback"/> (off for benchmarks). The number is read from
    /// the header, which SRTP leaves in the clear (RFC 3711 §3.1): nothing is decrypted.
    /// </summary>
    public bool RecordTransportCc { get; set; }

    /// <summary>Whether every media datagram (still protected) is kept for <see cref="TakeMedia"/> (off for benchmarks).</summary>
    public bool KeepMedia { get; set; }

    /// <summary>SSRC of the last video packet the engine sent this peer, 0 before the first.</summary>
    public uint LastVideoSsrc { get; private set; }

    /// <summary>Sequence number of the last video packet the engine sent this peer.</summary>
    public ushort LastVideoSequence { get; private set; }

    /// <summary>The last media datagram decrypted with this peer's keys, or null when it does not decrypt.</summary>
    public byte[]? OpenLastMedia()
    {
        byte[] wire = LastMedia.ToArray();
        return Inbound is not null && Inbound.UnprotectRtp(wire, out int length) == SrtpResult.Ok ? wire[..length] : null;
    }

    /// <summary>Every RTP packet received since the last call (with <see cref="KeepMedia"/>), decrypted (those that do not decrypt are skipped).</summary>
    public List<byte[]> TakeMedia()
    {
        var plain = new List<byte[]>();
        while (_media.TryDequeue(out byte[]? wire))
        {
            if (Inbound is not null && Inbound.UnprotectRtp(wire, out int length) == SrtpResult.Ok)
            {
                plain.Add(wire[..length]);
            }
        }

        return plain;
    }

    /// <summary>Every SRTCP compound received since the last call, decrypted (those that do not decrypt are skipped).</summary>
    public List<byte[]> TakeRtcp()
    {
        var plain = new List<byte[]>();
        while (_rtcp.TryDequeue(out byte[]? wire))
        {
            if (Inbound is not null && Inbound.UnprotectRtcp(wire, out int length) == SrtpResult.Ok)
            {
                plain.Add(wire[..length]);
            }
        }

        return plain;
    }

    /// <summary>Protects a plain RTP packet with this peer's keys, as its browser would send it.</summary>
    public byte[] ProtectRtp(ReadOnlySpan<byte> plain)
    {
        byte[] buffer = new byte[plain.Length + SrtpContext.MaxRtpOverhead];
        plain.CopyTo(buffer);
        Outbound!.ProtectRtp(buffer, plain.Length, out int length);
        return buffer[..length];
    }

    /// <summary>Protects a plain RTCP compound with this peer's keys.</summary>
    public byte[] ProtectRtcp(ReadOnlySpan<byte> plain)
    {
        byte[] buffer = new byte[plain.Length + SrtpContext.MaxRtcpOverhead];
        plain.CopyTo(buffer);
        _rtcpOut ??= SrtpContext.Create(_profile, _outKey, _outSalt);
        _rtcpOut.ProtectRtcp(buffer, plain.Length, out int length);
        return buffer[..length];
    }

    /// <summary>
    /// A browser-shaped first offer: Opus and VP8 sections, sending when
    /// <paramref name="publish"/> (with a=ssrc and msid), else receive-only. The header-extension
    /// ids differ between publishers and subscribers, so forwarding has to renumber them.
    /// </summary>
    public string Offer(bool publish) => Offer(publish, simulcastRids: null);

    /// <summary>
    /// The offer of a publisher sending its video as simulcast (RFC 8853) when
    /// <paramref name="simulcastRids"/> lists rids, lowest first, as Chromium does: a=rid and
    /// a=simulcast, the stream-id extensions (ids <see cref="RidExtensionId"/> and
    /// <see cref="RepairedRidExtensionId"/>; mid is <see cref="MidExtensionId"/>), RTX for the
    /// video (<see cref="VideoRtxPayloadType"/>) and no a=ssrc for the video.
    /// </summary>
    public string Offer(bool publish, IReadOnlyList<string>? simulcastRids)
    {
        var transport = new LocalTransport(Ice.Ufrag, Ice.Password, _certificate.FingerprintAlgorithm, _certificate.Fingerprint, DtlsSetup.ActPass, "127.0.0.1", 9);
        var opus = new RtpCodec { PayloadType = AudioPayloadType, Name = "opus", ClockRate = 48000, Channels = 2 };
        var vp8 = new RtpCodec { PayloadType = VideoPayloadType, Name = "VP8", ClockRate = 90000 };
        vp8.RtcpFeedback.Add("nack");
        vp8.RtcpFeedback.Add("nack pli");
        vp8.RtcpFeedback.Add("transport-cc");
        opus.RtcpFeedback.Add("transport-cc");
        HeaderExtension[] audioExtensions = [new(publish ? 1 : 5, MediaCapabilities.AudioLevelUri), new(TransportCcExtensionId, MediaCapabilities.TransportCcUri)];
        HeaderExtension[] videoExtensions = publish
            ? [new(2, MediaCapabilities.AbsSendTimeUri), new(TransportCcExtensionId, MediaCapabilities.TransportCcUri), new(MidExtensionId, MediaCapabilities.MidUri), new(RidExtensionId, MediaCapabilities.RtpStreamIdUri), new(RepairedRidExtensionId, MediaCapabilities.RepairedRtpStreamIdUri)]
            : [new(3, MediaCapabilities.AbsSendTimeUri), new(1, MediaCapabilities.MidUri), new(TransportCcExtensionId, MediaCapabilities.TransportCcUri)];
        bool simulcast = publish && simulcastRids is { Count: > 0 };
        MediaDirection direction = publish ? MediaDirection.SendOnly : MediaDirection.RecvOnly;
        RtpCodec[] videoCodecs = simulcast
            ? [vp8, new RtpCodec { PayloadType = VideoRtxPayloadType, Name = "rtx", ClockRate = 90000, Fmtp = $"apt={VideoPayloadType}" }]
            : [vp8];
        OfferSection[] sections =
        [
            new("0", MediaKind.Audio, direction, [opus], audioExtensions, publish ? new SendStream(AudioSsrc, null, "peer", "stream", "audio") : null),
            new("1", MediaKind.Video, direction, videoCodecs, videoExtensions, publish ? new SendStream(VideoSsrc, null, "peer", "stream", "video") : null),
        ];
        SessionDescription offer = SdpOfferBuilder.Build(transport, sections, 1, 1);
        offer.IceLite = false;
        if (simulcast)
        {
            MediaDescription video = offer.Media[1];
            video.Ssrcs.Clear();
            video.SsrcGroups.Clear();
            foreach (string rid in simulcastRids!)
            {
                video.Rids.Add(new RidAttribute(rid, RidDirection.Send, null));
            }

            video.Simulcast = "send " + string.Join(';', simulcastRids);
        }

        return SdpWriter.Write(offer);
    }

    /// <summary>Answers every server offer received so far, as a browser would: sections mirrored, codecs kept.</summary>
    public int AnswerPending()
    {
        int answered = 0;
        while (_offers.TryDequeue(out string? sdp))
        {
            SessionDescription offer = SdpParser.Parse(sdp).Description!;
            foreach (MediaDescription media in offer.Media)
            {
                media.Direction = media.Direction switch
                {
                    MediaDirection.SendOnly => MediaDirection.RecvOnly,
                    MediaDirection.RecvOnly => MediaDirection.SendOnly,
                    _ => media.Direction,
                };
                media.Setup = DtlsSetup.Active;
                media.IceUfrag = Ice.Ufrag;
                media.IcePwd = Ice.Password;
                media.Ssrcs.Clear();
                media.SsrcGroups.Clear();
            }

            offer.IceLite = false;
            Participant!.HandleAnswer(SdpWriter.Write(offer));
            answered++;
        }

        return answered;
    }

    /// <summary>The nominating ICE check a controlling browser sends first (RFC 8445 §7.2.2).</summary>
    public byte[] BindingRequest()
    {
        var buffer = new byte[IceBindingRequestBuilder.MaxLength];
        byte[] transaction = new byte[12];
        Random.Shared.NextBytes(transaction);
        int length = IceBindingRequestBuilder.Write(buffer, transaction, Ice, Participant!.Transport.LocalIce, priority: 2_130_706_431, tieBreaker: 42, useCandidate: true);
        return buffer[..length];
    }

    /// <summary>Runs the client side of DTLS against the participant's transport; its datagrams go through the port's queue.</summary>
    public Task<DtlsHandshakeResult> StartDtls(DtlsTransportOptions options)
    {
        PeerTransportInfo server = new(Participant!.Transport.FingerprintAlgorithm, Participant.Transport.Fingerprint);
        _dtls = new DtlsTransport(_certificate, DtlsRole.Client, server.Algorithm, server.Fingerprint, this, options: options);
        return _dtls.HandshakeAsync();
    }

    public void InstallKeys(DtlsHandshakeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _profile = result.Profile;
        _outKey = result.LocalMasterKey.ToArray();
        _outSalt = result.LocalMasterSalt.ToArray();
        Outbound = SrtpContext.Create(result.Profile, result.LocalMasterKey.Span, result.LocalMasterSalt.Span);
        Inbound = SrtpContext.Create(result.Profile, result.RemoteMasterKey.Span, result.RemoteMasterSalt.Span);
    }

    /// <summary>A datagram the engine sent this peer. Any thread.</summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        switch (PacketClassifier.Classify(datagram))
        {
            case PacketKind.Dtls:
                _dtls?.EnqueueIncoming(datagram);
                break;
            case PacketKind.RtpOrRtcp:
                Interlocked.Increment(ref _received);
                if (!PacketClassifier.IsRtcp(datagram))
                {
                    datagram.CopyTo(_lastMedia);
                    _lastMediaLength = datagram.Length;
                    OnRtpHeader(datagram);
                    if (KeepMedia)
                    {
                        _media.Enqueue(datagram.ToArray());
                    }
                }
                else if (KeepRtcp)
                {
                    _rtcp.Enqueue(datagram.ToArray());
                }

                break;
            default:
                break;
        }
    }

    /// <summary>What the clear RTP header of a received packet says; allocates nothing (it runs inside measured sends).</summary>
    private void OnRtpHeader(ReadOnlySpan<byte> datagram)
    {
        if (RtpPacket.TryParse(datagram, out RtpPacket view) != RtpParseResult.Ok)
        {
            return;
        }

        if (view.PayloadType == VideoPayloadType)
        {
            LastVideoSsrc = view.Ssrc;
            LastVideoSequence = view.SequenceNumber;
        }

        if (RecordTransportCc && view.TryGetExtension(TransportCcExtensionId, out ReadOnlySpan<byte> value) && value.Length >= 2)
        {
            ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(value);
            if (_transportBase < 0)
            {
                _transportBase = sequence;
                _transportArrivals.AsSpan().Fill(-1);
            }

            // Until the next feedback takes them, a window of the most one feedback reports on.
            int offset = (ushort)(sequence - _transportBase);
            if (offset < _transportArrivals.Length)
            {
                _transportArrivals[offset] = (long)Stopwatch.GetElapsedTime(0).TotalMicroseconds;
                _transportCount = Math.Max(_transportCount, offset + 1);
            }
        }
    }

    /// <summary>
    /// The compound RTCP a browser sends about what it receives, protected with this peer's
    /// keys: a receiver report on the last video stream, a generic NACK for the packet
    /// <paramref name="nackBack"/> before the last one received (answered from the
    /// retransmission buffer), and, when <see cref="RecordTransportCc"/> is on, transport-wide
    /// feedback on every numbered packet since the previous call. Null before any video arrived.
    /// </summary>
    public byte[]? ReceiverFeedback(int nackBack)
    {
        uint mediaSsrc = LastVideoSsrc;
        if (mediaSsrc == 0)
        {
            return null;
        }

        uint reporter = AudioSsrc;
        byte[] compound = new byte[ReceiverReport.GetSize(1) + RtcpFeedback.MinimumSize + GenericNack.FciSize + TransportWideFeedbackWriter.MaxSize(_transportArrivals.Length)];
        ReportBlock block = new(mediaSsrc, 0, 0, LastVideoSequence, 0, 0, 0);
        int length = ReceiverReport.TryWrite(compound, reporter, [block]);
        length += GenericNack.TryWrite(compound.AsSpan(length), reporter, mediaSsrc, [(ushort)(LastVideoSequence - nackBack)]);
        if (_transportCount > 0)
        {
            int written = TransportWideFeedbackWriter.TryWrite(compound.AsSpan(length), reporter, mediaSsrc, (ushort)_transportBase, _transportArrivals.AsSpan(0, _transportCount), _transportFeedbackCount++);
            length += Math.Max(written, 0);
            _transportBase = (ushort)(_transportBase + _transportCount);
            _transportCount = 0;
            _transportArrivals.AsSpan().Fill(-1);
        }

        return ProtectRtcp(compound.AsSpan(0, length));
    }

    void IDtlsDatagramSender.Send(ReadOnlySpan<byte> datagram) => _port.Enqueue(datagram, Address);

    public Task OfferAsync(string sdp)
    {
        _offers.Enqueue(sdp);
        return Task.CompletedTask;
    }

    /// <summary>Every dynacast notice the engine sent this peer as a publisher: the mid and the rids it should keep sending.</summary>
    public ConcurrentQueue<(string Mid, IReadOnlyList<string> ActiveRids)> LayerNotices { get; } = new();

    public Task LayersChangedAsync(string mid, IReadOnlyList<string> activeRids)
    {
        LayerNotices.Enqueue((mid, activeRids));
        return Task.CompletedTask;
    }

    public Task RemovedAsync(string reason, IReadOnlyList<Producer> unpublished)
    {
        RemovedReason = reason;
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _dtls?.Dispose();
        Outbound?.Dispose();
        Inbound?.Dispose();
        _rtcpOut?.Dispose();
    }

    private readonly record struct PeerTransportInfo(string Algorithm, string Fingerprint);
}
