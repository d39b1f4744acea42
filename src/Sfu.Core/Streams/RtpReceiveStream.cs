using System.Diagnostics.CodeAnalysis;
using Sfu.Core.Rtp;

namespace Sfu.Core.Streams;

/// <summary>
/// One RTP stream we receive, by its SSRC (mediasoup's RtpStreamRecv): statistics for our
/// receiver reports, which packets went missing (to NACK), the last packets (to answer
/// subscribers' NACKs without asking the publisher), keyframe detection, restoring the
/// publisher's retransmissions (RFC 4588 RTX), and the timing of its sender reports. Video
/// only keeps packets and NACKs: audio is not repaired. Buffers are allocated at the first
/// packet, not when the track is announced, so a track that never sends costs nothing.
/// Media path only (one thread at a time: its room's media gate), except the readers marked otherwise.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "An RTP stream in the RFC 3550 sense, not a System.IO.Stream.")]
public sealed class RtpReceiveStream
{
    /// <summary>How long before a packet we asked for is asked for again, until the round-trip time is known.</summary>
    public static readonly TimeSpan DefaultNackRetryInterval = TimeSpan.FromMilliseconds(150);

    /// <summary>How long a lost packet is worth asking for: past this its frame is long due.</summary>
    public static readonly TimeSpan NackGiveUp = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly RetransmissionBudget _budget;
    private RetransmissionBuffer? _retransmissions;
    private byte[]? _repairBuffer;
    private readonly Lock _senderReportGate = new();
    private SenderReportTiming _lastSenderReport;
    private bool _hasSenderReport;
    private long _packets;
    private long _bytes;
    private uint _rtxSsrc;
    private volatile bool _released;

    /// <param name="budget">Where its retransmission buffer takes its pages from (default: no bound).</param>
    public RtpReceiveStream(RtpStreamParameters parameters, TimeProvider time, RetransmissionBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(time);
        Parameters = parameters;
        _time = time;
        _budget = budget ?? RetransmissionBudget.Unlimited;
        Statistics = new ReceiveStatistics(parameters.ClockRate, time);
        Nacks = parameters.Kind == MediaKind.Video ? new NackGenerator(time, DefaultNackRetryInterval, NackGiveUp) : null;
        _rtxSsrc = parameters.RtxSsrc ?? 0;
    }

    public RtpStreamParameters Parameters { get; }

    public uint Ssrc => Parameters.Ssrc;

    /// <summary>The SSRC its retransmissions come on: announced (a=ssrc-group:FID), or learnt from the first one.</summary>
    public uint? RtxSsrc
    {
        get
        {
            uint rtx = Volatile.Read(ref _rtxSsrc);
            return rtx == 0 ? null : rtx;
        }
    }

    public MediaKind Kind => Parameters.Kind;

    /// <summary>Loss, jitter and SR timing, for our receiver reports.</summary>
    public ReceiveStatistics Statistics { get; }

    /// <summary>What went missing on the way to us, to NACK (video only).</summary>
    public NackGenerator? Nacks { get; }

    /// <summary>The last packets, once video has arrived; null for audio and before the first packet.</summary>
    public RetransmissionBuffer? Retransmissions => _retransmissions;

    /// <summary>
    /// The last sender report, or null before the first. Any thread: the report is a value kept
    /// in place under a lock, so a reader never sees half of one. Reports come about once a
    /// second and are read on the report tick and at a layer switch, so the lock is uncontended.
    /// </summary>
    public SenderReportTiming? LastSenderReport
    {
        get
        {
            lock (_senderReportGate)
            {
                return _hasSenderReport ? _lastSenderReport : null;
            }
        }
    }

    /// <summary>Any thread.</summary>
    public long PacketsReceived => Volatile.Read(ref _packets);

    /// <summary>Any thread.</summary>
    public long BytesReceived => Volatile.Read(ref _bytes);

    /// <summary>
    /// Takes in one packet that arrived on the stream's own SSRC: statistics, loss tracking,
    /// the retransmission buffer. Returns true when it starts a keyframe.
    /// </summary>
    public bool OnPacket(ReadOnlySpan<byte> packet, in RtpPacket view, long now)
    {
        Volatile.Write(ref _packets, _packets + 1);
        Volatile.Write(ref _bytes, _bytes + packet.Length);
        Statistics.OnPacket(view.SequenceNumber, view.Timestamp, now);
        Nacks?.OnPacket(view.SequenceNumber, now);
        Store(packet, view);
        return IsKeyframe(view);
    }

    /// <summary>
    /// Rebuilds the original packet from a retransmission on the RTX SSRC. Returns
    /// <see cref="RepairOutcome.Restored"/> with the packet in <paramref name="restored"/> when
    /// it is one we were waiting for (kept in the buffer), <see cref="RepairOutcome.Known"/> with
    /// it for one we were not waiting for (publishers resend old packets as bandwidth probes; a
    /// cluster node resends what a subscriber of the other node asked for), and
    /// <see cref="RepairOutcome.NotWanted"/> for a probe (padding only).
    /// </summary>
    public RepairOutcome TryRepair(in RtpPacket rtx, out Span<byte> restored)
    {
        restored = default;
        if (Nacks is not { } nacks || RtxSsrc is null)
        {
            return RepairOutcome.NotWanted;
        }

        _repairBuffer ??= new byte[RetransmissionBuffer.SlotSize];
        int length = RtxPacket.TryRestore(rtx, Ssrc, Parameters.PayloadType, _repairBuffer);
        if (length == 0)
        {
            return RepairOutcome.NotWanted;
        }

        if (length < 0 || RtpPacket.TryParse(_repairBuffer.AsSpan(0, length), out RtpPacket original) != RtpParseResult.Ok)
        {
            return RepairOutcome.Malformed;
        }

        restored = _repairBuffer.AsSpan(0, length);
        if (!nacks.Resolve(original.SequenceNumber))
        {
            return RepairOutcome.Known;
        }

        // Not fed to the statistics: our reports should show the loss the publisher's network
        // caused, and a late copy would distort the jitter.
        Store(restored, original);
        return RepairOutcome.Restored;
    }

    /// <summary>Its retransmissions come on <paramref name="ssrc"/> (learnt from their repaired-rtp-stream-id).</summary>
    public void BindRtx(uint ssrc) => Volatile.Write(ref _rtxSsrc, ssrc);

    /// <summary>The track ended: its retransmission pages go back to the server's budget. Any thread.</summary>
    public void Release()
    {
        _released = true;
        Volatile.Read(ref _retransmissions)?.Release();
    }

    /// <summary>True when <paramref name="view"/> (a packet of this stream) starts a keyframe.</summary>
    public bool IsKeyframe(in RtpPacket view)
        => Kind == MediaKind.Video && view.Payload.Length > 0 && VideoKeyframe.IsKeyframe(view.Payload, Parameters.VideoCodec);

    /// <summary>The publisher's SR for this stream (RFC 3550 §6.4.1).</summary>
    public void OnSenderReport(ulong ntpTimestamp, uint rtpTimestamp, long arrivedAt)
    {
        Statistics.OnSenderReport((uint)(ntpTimestamp >> 16), arrivedAt);
        lock (_senderReportGate)
        {
            _lastSenderReport = new SenderReportTiming(ntpTimestamp, rtpTimestamp, arrivedAt);
            _hasSenderReport = true;
        }
    }

    /// <summary>The stream's RTP timestamp at <paramref name="now"/>, once a sender report tied its clock to ours. Any thread.</summary>
    public bool TryGetRtpTimestampAt(long now, out uint rtpTimestamp)
    {
        SenderReportTiming? report = LastSenderReport;
        rtpTimestamp = report?.RtpTimestampAt(now, Parameters.ClockRate, _time) ?? 0;
        return report is not null;
    }

    private void Store(ReadOnlySpan<byte> packet, in RtpPacket view)
    {
        if (Kind == MediaKind.Video && !_released)
        {
            if (_retransmissions is null)
            {
                Volatile.Write(ref _retransmissions, new RetransmissionBuffer(RetransmissionBuffer.DefaultCapacity, _budget));
                if (_released)
                {
                    _retransmissions.Release();
                }
            }

            _retransmissions.Store(view.SequenceNumber, packet);
        }
    }
}
