using System.Text;
using Sfu.Core.Diagnostics;
using Sfu.Core.Rtcp;
using Sfu.Core.Sessions;

namespace Sfu.Core.Feedback;

/// <summary>
/// The RTCP side of one peer's transport, composed of one small class per concern: what the
/// peer sends goes through every <see cref="IRtcpProcessor"/> (sender reports, reception
/// reports, NACKs, keyframe requests); what we report leaves on the housekeeping tick through
/// every <see cref="IRtcpReporter"/> (receiver reports with REMB, sender reports, the NACK
/// retry interval). A new kind of feedback is one more entry in these lists.
/// </summary>
public sealed class TransportFeedback
{
    private readonly IRtcpProcessor[] _processors;
    private readonly IRtcpReporter[] _reporters;
    private readonly MediaCounters _counters;
    private readonly TimeProvider _time;

    /// <param name="limits">The per-NACK cap and the resend budget (default: 64 per NACK, no budget).</param>
    public TransportFeedback(IRtcpSender sender, uint reportSsrc, string cname, ulong maxVideoBitrate, MediaCounters counters, SfuMetrics? metrics, TimeProvider time, MediaLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(time);
        _counters = counters;
        _time = time;
        ReportSsrc = reportSsrc;
        Nacks = new NackRequester(Streams, sender, reportSsrc, counters);
        TransportCc = new TransportCcReceiver(sender, reportSsrc, counters, time);
        Downlink = new DownlinkBandwidth(time);
        _processors =
        [
            new SenderReportProcessor(Streams),
            new ReceptionReportProcessor(Streams, metrics),
            new NackResponder(Streams, counters, time, limits?.MaxResendsPerNack ?? NackResponder.MaxResendsPerNack, limits?.ResendsPerSecond ?? 0),
            new KeyframeRequestProcessor(Streams),
            new CongestionFeedbackProcessor(Downlink),
        ];
        _reporters =
        [
            new ReceiverReportSender(Streams, sender, reportSsrc, maxVideoBitrate),
            new SenderReportSender(Streams, sender, Encoding.UTF8.GetBytes(cname), time),
            Nacks,
        ];
    }

    /// <summary>The streams this peer's RTCP can be about.</summary>
    public FeedbackStreams Streams { get; } = new();

    /// <summary>Asks the peer for what its uplink lost.</summary>
    public NackRequester Nacks { get; }

    /// <summary>Tells the peer when each of its packets arrived, for its own congestion control.</summary>
    public TransportCcReceiver TransportCc { get; }

    /// <summary>What the path to the peer carries, from its feedback on what we send it.</summary>
    public DownlinkBandwidth Downlink { get; }

    /// <summary>The SSRC our reports and feedback to this peer come from.</summary>
    public uint ReportSsrc { get; }

    /// <summary>One decrypted compound from the peer. Media path.</summary>
    public void OnRtcp(ReadOnlySpan<byte> compound, Span<byte> scratch)
    {
        if (RtcpCompoundReader.TryCreate(compound, out RtcpCompoundReader reader) != RtcpParseResult.Ok)
        {
            _counters.Dropped(DropReason.Malformed);
            return;
        }

        long now = _time.GetTimestamp();
        foreach (RtcpPacket packet in reader)
        {
            foreach (IRtcpProcessor processor in _processors)
            {
                processor.Process(packet, now, scratch);
            }
        }
    }

    /// <summary>The report interval came round. Housekeeping thread.</summary>
    public void OnReportTick()
    {
        long now = _time.GetTimestamp();
        foreach (IRtcpReporter reporter in _reporters)
        {
            reporter.Report(now);
        }
    }
}
