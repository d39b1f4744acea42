using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Sfu.Core.Diagnostics;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>
/// The packet path of one participant: its decrypted RTP goes to the producer named by the
/// SSRC, its RTCP feedback to the producers it concerns. Runs on the receive loop.
/// </summary>
public sealed partial class Participant
{
    private const byte FeedbackPli = 1;
    private const byte FeedbackFir = 4;
    private const byte FeedbackGenericNack = 1;

    private readonly ConcurrentDictionary<uint, Producer> _producersBySsrc = new();
    private readonly ConcurrentDictionary<uint, DownTrack> _downTracksBySsrc = new();

    internal void IndexProducer(Producer producer)
    {
        _producersBySsrc[producer.Ssrc] = producer;
    }

    internal void UnindexProducer(Producer producer)
    {
        _producersBySsrc.TryRemove(new KeyValuePair<uint, Producer>(producer.Ssrc, producer));
    }

    internal void IndexDownTrack(DownTrack downTrack) => _downTracksBySsrc[downTrack.Ssrc] = downTrack;

    internal void UnindexDownTrack(DownTrack downTrack)
        => _downTracksBySsrc.TryRemove(new KeyValuePair<uint, DownTrack>(downTrack.Ssrc, downTrack));

    private void OnRtp(ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch)
    {
        if (_producersBySsrc.TryGetValue(view.Ssrc, out Producer? producer))
        {
            producer.Forward(packet, view, scratch, _engine.Counters);
            _engine.Metrics.OnForwarded();
            return;
        }

        // RTX (RFC 4588): the answer to one of our NACKs, or a bandwidth probe.
        Producer? repaired = ProducerOfRtx(view.Ssrc);
        if (repaired is null)
        {
            _engine.Counters.Dropped(DropReason.UnknownSsrc);
            return;
        }

        byte[]? buffer = repaired.RepairBuffer;
        if (buffer is null)
        {
            return;
        }

        int length = RtxPacket.TryRestore(view, repaired.Ssrc, repaired.Codec.PayloadType, buffer);
        if (length == 0)
        {
            return; // a padding-only probe
        }

        if (length < 0 || RtpPacket.TryParse(buffer.AsSpan(0, length), out RtpPacket original) != RtpParseResult.Ok)
        {
            _engine.Counters.Dropped(DropReason.Malformed);
            return;
        }

        repaired.ForwardRepaired(buffer.AsSpan(0, length), original, scratch, _engine.Counters);
    }

    private Producer? ProducerOfRtx(uint ssrc)
    {
        ImmutableArray<Producer> producers = _producers;
        foreach (Producer producer in producers)
        {
            if (producer.RtxSsrc == ssrc)
            {
                return producer;
            }
        }

        return null;
    }

    private void OnRtcp(ReadOnlySpan<byte> compound, Span<byte> scratch)
    {
        if (RtcpCompoundReader.TryCreate(compound, out RtcpCompoundReader reader) != RtcpParseResult.Ok)
        {
            _engine.Counters.Dropped(DropReason.Malformed);
            return;
        }

        foreach (RtcpPacket packet in reader)
        {
            switch (packet.Header.PacketType)
            {
                case RtcpPacketType.SenderReport:
                    OnSenderReport(packet.Content, scratch);
                    break;
                case RtcpPacketType.ReceiverReport:
                    OnReceiverReport(packet.Content);
                    break;
                case RtcpPacketType.PayloadFeedback when packet.Header.Format is FeedbackPli or FeedbackFir:
                    OnKeyframeRequest(packet.Content, packet.Header.Format);
                    break;
                case RtcpPacketType.TransportFeedback when packet.Header.Format == FeedbackGenericNack:
                    OnNack(packet.Data, scratch);
                    break;
                default:
                    break;
            }
        }
    }

    private void OnNack(ReadOnlySpan<byte> packet, Span<byte> scratch)
    {
        _engine.Counters.NackReceived();
        if (!GenericNack.TryParse(packet, out GenericNack nack)
            || !_downTracksBySsrc.TryGetValue(nack.MediaSsrc, out DownTrack? downTrack))
        {
            return;
        }

        foreach (ushort sequenceNumber in nack.LostSequenceNumbers)
        {
            if (downTrack.Retransmit(sequenceNumber, scratch))
            {
                _engine.Counters.Retransmitted();
            }
        }
    }

    /// <summary>
    /// A subscriber asks for a keyframe of a stream we send it: pass the request on to the
    /// publisher (throttled there). PLI names the media SSRC in the common feedback header
    /// (RFC 4585 §6.1); FIR names it in each FCI entry (RFC 5104 §4.3.1.1).
    /// </summary>
    private void OnKeyframeRequest(ReadOnlySpan<byte> packet, byte format)
    {
        if (packet.Length < 12)
        {
            return;
        }

        uint mediaSsrc = format == FeedbackFir && packet.Length >= 16
            ? BinaryPrimitives.ReadUInt32BigEndian(packet[12..])
            : BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        if (_downTracksBySsrc.TryGetValue(mediaSsrc, out DownTrack? downTrack))
        {
            downTrack.Source.RequestKeyframe(Time, KeyframeRequestInterval);
        }
    }

    /// <summary>
    /// A publisher's SR, translated for each subscriber: the same NTP time with the RTP
    /// timestamp moved by that down-track's offset, so each receiver can still line audio up
    /// with video (RFC 3550 §6.4.1), and the down-track's own packet and octet counts.
    /// </summary>
    private void OnSenderReport(ReadOnlySpan<byte> packet, Span<byte> scratch)
    {
        if (!SenderReport.TryParse(packet, out SenderReport report))
        {
            return;
        }

        long now = Time.GetTimestamp();
        for (int i = 0; i < report.ReportCount; i++)
        {
            OnReportBlock(report.GetReportBlock(i), now);
        }

        if (!_producersBySsrc.TryGetValue(report.Ssrc, out Producer? producer))
        {
            return;
        }

        producer.Statistics.OnSenderReport(report.CompactNtpTimestamp, now);

        ImmutableArray<DownTrack> downTracks = producer.DownTracks;
        foreach (DownTrack downTrack in downTracks)
        {
            if (!downTrack.IsActive || !downTrack.Started)
            {
                continue;
            }

            int length = SenderReport.TryWrite(
                scratch,
                downTrack.Ssrc,
                report.NtpTimestamp,
                unchecked(report.RtpTimestamp + downTrack.TimestampOffset),
                (uint)downTrack.PacketsSent,
                (uint)downTrack.OctetsSent,
                []);
            if (length <= 0)
            {
                continue;
            }

            int cname = SourceDescription.TryWriteCname(scratch[length..], downTrack.Ssrc, downTrack.Subscriber.CnameUtf8);
            if (cname > 0)
            {
                length += cname;
            }

            if (downTrack.Subscriber.Transport.SendRtcp(scratch[..length]))
            {
                downTrack.Quality.OnSenderReportSent(report.CompactNtpTimestamp, now);
            }
        }
    }

    private byte[]? _cnameUtf8;

    /// <summary>
    /// A retransmission needs one round trip to arrive; asking again sooner only duplicates it.
    /// The round trip to this participant is measured on what we send it (its reports on our
    /// SRs), which is the same path its own media takes to us.
    /// </summary>
    private void UpdateNackRetryInterval(ImmutableArray<Producer> producers)
    {
        double roundTrip = double.NaN;
        foreach (DownTrack downTrack in _downTracks)
        {
            double measured = downTrack.Quality.RoundTripSeconds;
            if (!double.IsNaN(measured) && (double.IsNaN(roundTrip) || measured < roundTrip))
            {
                roundTrip = measured;
            }
        }

        if (double.IsNaN(roundTrip))
        {
            return;
        }

        TimeSpan retry = NackRetryIntervalFor(TimeSpan.FromSeconds(roundTrip));
        foreach (Producer producer in producers)
        {
            if (producer.Nacks is { } nacks)
            {
                nacks.RetryInterval = retry;
            }
        }
    }

    /// <summary>One and a half round trips plus a little for the publisher to answer, within 20 ms to 500 ms.</summary>
    internal static TimeSpan NackRetryIntervalFor(TimeSpan roundTrip)
        => TimeSpan.FromMilliseconds(Math.Clamp((roundTrip.TotalMilliseconds * 1.5) + 10, 20, 500));

    /// <summary>
    /// Our receiver reports on everything this participant publishes (RFC 3550 §6.4.2), and
    /// a REMB (draft-alvestrand-rmcat-remb) that lets its video encoder climb to the
    /// configured rate: a browser's sender estimate only rises on feedback. Timer thread.
    /// </summary>
    internal void SendReceiverReports(ulong maxVideoBitrate)
    {
        ImmutableArray<Producer> producers = _producers;
        if (producers.IsEmpty || !Transport.IsConnected)
        {
            return;
        }

        UpdateNackRetryInterval(producers);

        Span<ReportBlock> blocks = stackalloc ReportBlock[Math.Min(producers.Length, 31)];
        Span<uint> videoSsrcs = stackalloc uint[Math.Min(producers.Length, 31)];
        int videoCount = 0;
        long now = Time.GetTimestamp();
        for (int i = 0; i < blocks.Length; i++)
        {
            Producer producer = producers[i];
            blocks[i] = producer.Statistics.TakeReportBlock(producer.Ssrc, now);
            if (producer.Kind == MediaKind.Video)
            {
                videoSsrcs[videoCount++] = producer.Ssrc;
            }
        }

        Span<byte> compound = stackalloc byte[1200];
        int length = ReceiverReport.TryWrite(compound, RtcpSsrc, blocks);
        if (length < 0)
        {
            return;
        }

        if (videoCount > 0)
        {
            int remb = ReceiverEstimatedMaxBitrate.TryWrite(compound[length..], RtcpSsrc, maxVideoBitrate * (ulong)videoCount, videoSsrcs[..videoCount]);
            if (remb > 0)
            {
                length += remb;
            }
        }

        Transport.SendRtcp(compound[..length]);
    }

    internal ReadOnlySpan<byte> CnameUtf8 => _cnameUtf8 ??= Encoding.UTF8.GetBytes(Cname);

    /// <summary>Keeps the sink interface off Participant's public surface.</summary>
    private sealed class MediaSink(Participant owner) : IPeerMediaSink
    {
        public void OnRtp(ReadOnlySpan<byte> packet, in RtpPacket view, Span<byte> scratch)
            => owner.OnRtp(packet, view, scratch);

        public void OnRtcp(ReadOnlySpan<byte> compound, Span<byte> scratch) => owner.OnRtcp(compound, scratch);

        public void OnConnected() => owner._engine.OnTransportConnected(owner);

        public void OnFailed(string reason) => owner._engine.Remove(owner, reason);
    }
}
