using System.Collections.Concurrent;
using Sfu.Core.Diagnostics;
using Sfu.Core.Feedback;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// Where one participant's decrypted packets go: RTP to the producer its SSRC names (or, on a
/// retransmission SSRC, restored first), RTCP to the transport's feedback processors. This is
/// the whole per-packet path above the transport, in one place. Receive loop only; the SSRC
/// tables change on the signaling path and are read here without a lock.
/// </summary>
internal sealed class ParticipantMedia : IPeerMediaSink
{
    private readonly ConcurrentDictionary<uint, Producer> _bySsrc = new();
    private readonly ConcurrentDictionary<uint, Producer> _byRtxSsrc = new();
    private readonly MediaServices _services;

    public ParticipantMedia(Participant owner, MediaServices services)
    {
        _services = services;
        Feedback = new TransportFeedback(
            owner.Transport,
            owner.RtcpSsrc,
            owner.Cname,
            services.MaxVideoBitrate,
            services.Counters,
            services.Metrics,
            services.Time);
        DownTracks = new DownTrackContext(owner.Transport, services);
    }

    /// <summary>The RTCP side of this participant's transport.</summary>
    public TransportFeedback Feedback { get; }

    /// <summary>What this participant's down-tracks share.</summary>
    public DownTrackContext DownTracks { get; }

    public void Add(Producer producer)
    {
        _bySsrc[producer.Ssrc] = producer;
        if (producer.RtxSsrc is uint rtx)
        {
            _byRtxSsrc[rtx] = producer;
        }

        Feedback.Streams.Add(producer.Stream);
    }

    public void Remove(Producer producer)
    {
        _bySsrc.TryRemove(new KeyValuePair<uint, Producer>(producer.Ssrc, producer));
        if (producer.RtxSsrc is uint rtx)
        {
            _byRtxSsrc.TryRemove(new KeyValuePair<uint, Producer>(rtx, producer));
        }

        Feedback.Streams.Remove(producer.Stream);
    }

    public void Add(DownTrack downTrack) => Feedback.Streams.Add(downTrack);

    public void Remove(DownTrack downTrack) => Feedback.Streams.Remove(downTrack);

    public void OnRtp(ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch)
    {
        long now = _services.Time.GetTimestamp();
        if (_bySsrc.TryGetValue(view.Ssrc, out Producer? producer))
        {
            _services.Counters.RtpReceived(producer.Kind, packet.Length);
            producer.OnPacket(packet, view, now, scratch);
            Feedback.Nacks.OnPacket(producer.Stream, now);
            _services.Metrics?.OnForwarded();
            return;
        }

        // RTX (RFC 4588): the answer to one of our NACKs, or a bandwidth probe.
        if (!_byRtxSsrc.TryGetValue(view.Ssrc, out producer))
        {
            _services.Counters.Dropped(DropReason.UnknownSsrc);
            return;
        }

        switch (producer.Stream.TryRepair(view, out Span<byte> restored))
        {
            case RepairOutcome.Restored when RtpPacket.TryParse(restored, out RtpPacket original) == RtpParseResult.Ok:
                _services.Counters.Repaired();
                producer.OnRepaired(restored, original, scratch);
                break;
            case RepairOutcome.Malformed:
                _services.Counters.Dropped(DropReason.Malformed);
                break;
            default:
                break;
        }
    }

    public void OnRtcp(ReadOnlySpan<byte> compound, Span<byte> scratch) => Feedback.OnRtcp(compound, scratch);

    /// <summary>DTLS is up: every video this participant receives needs a keyframe to start.</summary>
    public static void OnConnected(IEnumerable<DownTrack> downTracks)
    {
        foreach (DownTrack downTrack in downTracks)
        {
            if (downTrack.IsActive)
            {
                downTrack.Source.RequestKeyframe(TimeSpan.Zero);
            }
        }
    }
}
