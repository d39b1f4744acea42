using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Sfu.Core.Diagnostics;

/// <summary>
/// The media plane's instruments on one <see cref="Meter"/> named <see cref="MeterName"/>.
/// Counts are observed from <see cref="MediaCounters"/> and the room registry when a reader
/// collects, so the packet path does no more work than it did without metrics. Histograms are
/// recorded where their events happen: reception reports as they arrive, DTLS handshakes,
/// the first packet a participant is sent, and the forwarding latency of one datagram in
/// <see cref="LatencySampleInterval"/>.
/// </summary>
public sealed class SfuMetrics : IDisposable
{
    /// <summary>The meter's name, for OpenTelemetry's AddMeter and for listeners.</summary>
    public const string MeterName = "SfuRouter";

    /// <summary>One datagram in this many has its receive-to-send time measured.</summary>
    public const int LatencySampleInterval = 1024;

    private static readonly KeyValuePair<string, object?> Audio = new("kind", "audio");
    private static readonly KeyValuePair<string, object?> Video = new("kind", "video");

    private static readonly (DropReason Reason, KeyValuePair<string, object?> Tag)[] DropTags =
        [.. Enum.GetValues<DropReason>().Select(r => (r, new KeyValuePair<string, object?>("reason", DropReasonName(r))))];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _roundTrip;
    private readonly Histogram<double> _jitter;
    private readonly Histogram<double> _fractionLost;
    private readonly Histogram<double> _dtlsHandshake;
    private readonly Histogram<double> _firstPacket;
    private readonly Histogram<double> _forwardingLatency;
    private readonly Histogram<long> _downlinkEstimate;
    private readonly Histogram<long> _allocated;

    // Per media thread: which datagram is sampled, and when it arrived (0 = not sampled). A
    // thread handles one datagram at a time from arrival to send, so its own fields describe
    // it; shared fields would mix two threads' datagrams.
    [ThreadStatic]
    private static int t_datagrams;
    [ThreadStatic]
    private static long t_sampleArrival;
    [ThreadStatic]
    private static bool t_sampleForwarded;

    internal SfuMetrics(MediaCounters counters, IMediaGauges gauges, IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);

        _meter.CreateObservableUpDownCounter("sfu.rooms", () => (long)gauges.Rooms, "{room}", "Rooms with at least one participant");
        _meter.CreateObservableUpDownCounter("sfu.participants", () => (long)gauges.Participants, "{participant}", "Participants in all rooms");
        _meter.CreateObservableUpDownCounter("sfu.tracks.published", () => (long)gauges.PublishedTracks, "{track}", "Tracks participants publish");
        _meter.CreateObservableUpDownCounter("sfu.subscriptions", () => (long)gauges.Subscriptions, "{subscription}", "Down-tracks: one per subscriber of each published track");

        _meter.CreateObservableCounter("sfu.rtp.packets.received", () => ByKind(counters.PacketsReceived), "{packet}", "RTP packets received from publishers");
        _meter.CreateObservableCounter("sfu.rtp.packets.forwarded", () => ByKind(counters.PacketsForwarded), "{packet}", "RTP packets sent to subscribers");
        _meter.CreateObservableCounter("sfu.rtp.bytes.received", () => ByKind(counters.BytesReceived), "By", "RTP bytes received from publishers (after SRTP)");
        _meter.CreateObservableCounter("sfu.rtp.bytes.forwarded", () => ByKind(counters.BytesForwarded), "By", "RTP bytes sent to subscribers (before SRTP)");
        _meter.CreateObservableCounter("sfu.packets.dropped", () => Dropped(counters), "{packet}", "Datagrams and packets not used, by reason");
        _meter.CreateObservableCounter("sfu.rtcp.nack.received", () => counters.NacksReceived, "{packet}", "Generic NACKs received from subscribers");
        _meter.CreateObservableCounter("sfu.rtcp.pli.sent", () => Plis(counters), "{packet}", "Picture loss indications sent to publishers, by reason");
        _meter.CreateObservableCounter("sfu.rtp.layer.switches", () => counters.LayerSwitches, "{switch}", "Times a subscription moved from one simulcast layer to another");
        _meter.CreateObservableCounter("sfu.rtcp.nack.sent", () => counters.NacksSent, "{packet}", "Generic NACKs sent to publishers for packets lost on their uplink");
        _meter.CreateObservableCounter("sfu.offers.refused", () => counters.OffersRefused, "{offer}", "Offers refused for passing a negotiation limit (SDP length, m-sections, published tracks)");
        _meter.CreateObservableCounter("sfu.rtp.packets.repaired", () => counters.PacketsRepaired, "{packet}", "Packets lost on a publisher's uplink and restored from its retransmission");

        _meter.CreateObservableCounter("sfu.bwe.layer_reductions", () => counters.BandwidthLayerReductions, "{reduction}", "Times a subscription was moved to a lower simulcast layer because the subscriber's downlink estimate could not carry it");
        _meter.CreateObservableCounter("sfu.bwe.pauses", () => counters.BandwidthPauses, "{pause}", "Times a video subscription was paused because the subscriber's downlink estimate could not carry its lowest layer");

        long[] bitrates = [50_000, 100_000, 250_000, 500_000, 1_000_000, 2_000_000, 4_000_000, 8_000_000, 16_000_000, 32_000_000];
        _downlinkEstimate = _meter.CreateHistogram("sfu.bwe.downlink_estimate", "bit/s", "Each subscriber's downlink estimate, sampled once a second (subscribers that send congestion feedback)", tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = bitrates });
        _allocated = _meter.CreateHistogram("sfu.bwe.allocated", "bit/s", "What the stream allocator gave each such subscriber's subscriptions together, sampled once a second", tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = bitrates });

        _roundTrip = CreateHistogram("sfu.rtcp.rtt", "s", "Round-trip time to subscribers, from their reception reports", [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6]);
        _jitter = CreateHistogram("sfu.rtcp.jitter", "s", "Interarrival jitter subscribers report", [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16]);
        _fractionLost = CreateHistogram("sfu.rtcp.fraction_lost", "1", "Fraction lost per reporting interval, as subscribers report it", [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
        _dtlsHandshake = CreateHistogram("sfu.dtls.handshake.duration", "s", "DTLS handshake time, from ICE selecting a pair to SRTP keys", [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
        _firstPacket = CreateHistogram("sfu.join.first_packet.duration", "s", "Time from Join to the first media packet forwarded to that participant", [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32]);
        _forwardingLatency = CreateHistogram("sfu.forwarding.latency", "s", "Receive-to-send time of sampled RTP datagrams (decrypt, fan-out, encrypt, send)", [0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.0025, 0.005]);
    }

    /// <summary>
    /// Adds the relay's instruments: packets and bytes to and from each peer node, from
    /// <paramref name="read"/> when a reader collects. Call once, when this node joins a cluster.
    /// A delegate, not the relay port: the relay sits above this folder.
    /// </summary>
    public void ObserveRelay(Func<IReadOnlyList<RelayPeerTotals>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _meter.CreateObservableCounter("sfu.relay.packets.sent", () => PerPeer(read, t => t.PacketsSent), "{packet}", "RTP packets relayed to each peer node");
        _meter.CreateObservableCounter("sfu.relay.packets.received", () => PerPeer(read, t => t.PacketsReceived), "{packet}", "RTP packets relayed from each peer node");
        _meter.CreateObservableCounter("sfu.relay.bytes.sent", () => PerPeer(read, t => t.BytesSent), "By", "RTP bytes relayed to each peer node (before SRTP)");
        _meter.CreateObservableCounter("sfu.relay.bytes.received", () => PerPeer(read, t => t.BytesReceived), "By", "RTP bytes relayed from each peer node (after SRTP)");
    }

    /// <summary>
    /// Adds the media threads' instruments: each receive thread's load (<c>thread</c>: its name)
    /// from <paramref name="threadLoads"/>, and how many fan-outs were split over threads and how
    /// many of their shards helper threads sent. Delegates: the port and the fan-out workers sit
    /// in other folders.
    /// </summary>
    public void ObserveMediaThreads(Func<IReadOnlyList<KeyValuePair<string, int>>> threadLoads, Func<long> split, Func<long> helperShards)
    {
        ArgumentNullException.ThrowIfNull(threadLoads);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(helperShards);
        _meter.CreateObservableGauge(
            "sfu.media.thread.load",
            () => threadLoads().Select(t => new Measurement<double>(t.Value / 100.0, new KeyValuePair<string, object?>("thread", t.Key))),
            "1",
            "Each media receive thread's work in its last 100 ms as a share of one core: time not spent waiting for a datagram, plus what helper threads did for it (above 1: more than one core's worth)");
        _meter.CreateObservableCounter("sfu.fanout.split", split, "{packet}", "Packets whose fan-out was split over threads (its receiving thread was loaded and the track had more than one shard of subscribers)");
        _meter.CreateObservableCounter("sfu.fanout.helper_shards", helperShards, "{shard}", "Shards of split fan-outs that helper threads sent");
    }

    /// <summary>
    /// Adds <c>sfu.connections</c>: connected participants by the path their media takes, as the
    /// host names it ("host udp", "host tcp", "relay udp", "relay tcp", "relay tls"); the host knows which addresses are TURN
    /// servers, the media plane does not.
    /// </summary>
    public void ObserveConnectionPaths(Func<IReadOnlyDictionary<string, int>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _meter.CreateObservableUpDownCounter(
            "sfu.connections",
            () => read().Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("path", p.Key))),
            "{connection}",
            "Connected participants by the path of their selected ICE pair: host udp, host tcp (ICE-TCP) or relay udp/tcp/tls (a configured TURN server, and how the client reaches it)");
    }

    private static Measurement<long>[] PerPeer(Func<IReadOnlyList<RelayPeerTotals>> read, Func<RelayPeerTotals, long> value) =>
        [.. read().Select(t => new Measurement<long>(value(t), new KeyValuePair<string, object?>("peer", t.PeerNodeId)))];

    /// <summary>A datagram arrived. On the media thread that received it; one increment and one store per datagram.</summary>
#pragma warning disable CA1822 // An instance member: the sample belongs to this meter's port.
    internal void OnDatagram()
    {
        t_sampleArrival = (++t_datagrams & (LatencySampleInterval - 1)) == 0 ? Stopwatch.GetTimestamp() : 0;
        t_sampleForwarded = false;
    }

    /// <summary>The datagram was an RTP packet and its fan-out is queued. On the thread that received it.</summary>
    internal void OnForwarded() => t_sampleForwarded = t_sampleArrival != 0;
#pragma warning restore CA1822

    /// <summary>The fan-out left the port; records its latency if its datagram was sampled. On the thread that received it.</summary>
    internal void OnSent()
    {
        if (t_sampleForwarded)
        {
            t_sampleForwarded = false;
            _forwardingLatency.Record(Stopwatch.GetElapsedTime(t_sampleArrival).TotalSeconds);
        }
    }

    internal void RecordReception(MediaKind kind, double fractionLost, double jitterSeconds, double? roundTripSeconds)
    {
        KeyValuePair<string, object?> tag = kind == MediaKind.Audio ? Audio : Video;
        _fractionLost.Record(fractionLost, tag);
        _jitter.Record(jitterSeconds, tag);
        if (roundTripSeconds is double rtt)
        {
            _roundTrip.Record(rtt, tag);
        }
    }

    internal void RecordDtlsHandshake(TimeSpan duration) => _dtlsHandshake.Record(duration.TotalSeconds);

    /// <summary>One subscriber's downlink estimate and what its subscriptions were given, on the once-a-second tick.</summary>
    internal void RecordBandwidth(long estimate, long allocated)
    {
        _downlinkEstimate.Record(estimate);
        _allocated.Record(allocated);
    }

    internal void RecordFirstPacket(TimeSpan sinceJoin) => _firstPacket.Record(sinceJoin.TotalSeconds);

    /// <summary>The tag value of a drop reason: snake_case, as Prometheus labels usually are.</summary>
    public static string DropReasonName(DropReason reason) => reason switch
    {
        DropReason.Malformed => "malformed",
        DropReason.UnknownPeer => "unknown_peer",
        DropReason.StunUnauthorized => "stun_unauthorized",
        DropReason.SrtpAuth => "srtp_auth",
        DropReason.Replay => "replay",
        DropReason.NotReady => "not_ready",
        DropReason.UnknownSsrc => "unknown_ssrc",
        DropReason.DtlsQueueFull => "dtls_queue_full",
        DropReason.UnselectedAddress => "unselected_address",
        DropReason.SendFailed => "send_failed",
        DropReason.IngressLimit => "ingress_limit",
        DropReason.ResendBudget => "resend_budget",
        DropReason.DtlsBusy => "dtls_busy",
        DropReason.SendQueueFull => "send_queue_full",
        DropReason.BadFrameLength => "bad_frame_length",
        DropReason.DtlsMalformed => "dtls_malformed",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private Histogram<double> CreateHistogram(string name, string unit, string description, IReadOnlyList<double> buckets)
        => _meter.CreateHistogram(name, unit, description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });

    private static Measurement<long>[] ByKind(Func<MediaKind, long> read)
        => [new(read(MediaKind.Audio), Audio), new(read(MediaKind.Video), Video)];

    private static readonly (KeyframeRequestReason Reason, KeyValuePair<string, object?> Tag)[] PliTags =
    [
        (KeyframeRequestReason.Start, new("reason", "start")),
        (KeyframeRequestReason.SubscriberRequest, new("reason", "subscriber")),
        (KeyframeRequestReason.LayerSwitch, new("reason", "layer_switch")),
    ];

    private static Measurement<long>[] Plis(MediaCounters counters)
        => [.. PliTags.Select(p => new Measurement<long>(counters.PlisSentFor(p.Reason), p.Tag))];

    private static Measurement<long>[] Dropped(MediaCounters counters)
        => [.. DropTags.Select(d => new Measurement<long>(counters.DroppedCount(d.Reason), d.Tag))];

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
