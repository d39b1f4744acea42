namespace Sfu.Core.Diagnostics;

/// <summary>
/// Plain counters the packet path bumps (one interlocked add, no tags, no allocation); the
/// metrics layer observes them. Tests read them directly.
/// </summary>
public sealed class MediaCounters
{
    // Indexed by MediaKind; only Audio and Video ever count.
    private const int Kinds = 4;
    private readonly long[] _packetsReceived = new long[Kinds];
    private readonly long[] _bytesReceived = new long[Kinds];
    private readonly long[] _packetsForwarded = new long[Kinds];
    private readonly long[] _bytesForwarded = new long[Kinds];
    private readonly long[] _dropped = new long[Enum.GetValues<DropReason>().Length];
    private long _nackReceived;
    private readonly long[] _pliSent = new long[Enum.GetValues<KeyframeRequestReason>().Length];
    private long _stunAnswered;
    private long _retransmitted;
    private long _nackSent;
    private long _repaired;
    private long _layerSwitches;
    private long _transportFeedbackSent;
    private long _bandwidthLowered;
    private long _bandwidthPaused;
    private long _offersRefused;

    public void RtpReceived(MediaKind kind, int bytes)
    {
        Interlocked.Increment(ref _packetsReceived[(int)kind]);
        Interlocked.Add(ref _bytesReceived[(int)kind], bytes);
    }

    public void RtpForwarded(MediaKind kind, int bytes) => RtpForwarded(kind, 1, bytes);

    /// <summary>Copies of one packet (or a shard of them) counted at once: two interlocked additions per fan-out, not per copy.</summary>
    public void RtpForwarded(MediaKind kind, int packets, long bytes)
    {
        if (packets == 0)
        {
            return;
        }

        Interlocked.Add(ref _packetsForwarded[(int)kind], packets);
        Interlocked.Add(ref _bytesForwarded[(int)kind], bytes);
    }

    public void Dropped(DropReason reason) => Interlocked.Increment(ref _dropped[(int)reason]);

    public void NackReceived() => Interlocked.Increment(ref _nackReceived);

    public void PliSent(KeyframeRequestReason reason) => Interlocked.Increment(ref _pliSent[(int)reason]);

    public void StunAnswered() => Interlocked.Increment(ref _stunAnswered);

    public void Retransmitted() => Interlocked.Increment(ref _retransmitted);

    public void NackSent() => Interlocked.Increment(ref _nackSent);

    public void Repaired() => Interlocked.Increment(ref _repaired);

    public void LayerSwitched() => Interlocked.Increment(ref _layerSwitches);

    public void TransportFeedbackSent() => Interlocked.Increment(ref _transportFeedbackSent);

    public void BandwidthReduced(bool paused) => Interlocked.Increment(ref paused ? ref _bandwidthPaused : ref _bandwidthLowered);

    public void OfferRefused() => Interlocked.Increment(ref _offersRefused);

    /// <summary>Offers refused for passing a negotiation limit (length, m-sections, published tracks).</summary>
    public long OffersRefused => Volatile.Read(ref _offersRefused);

    public long PacketsReceived(MediaKind kind) => Volatile.Read(ref _packetsReceived[(int)kind]);

    public long BytesReceived(MediaKind kind) => Volatile.Read(ref _bytesReceived[(int)kind]);

    public long PacketsForwarded(MediaKind kind) => Volatile.Read(ref _packetsForwarded[(int)kind]);

    public long BytesForwarded(MediaKind kind) => Volatile.Read(ref _bytesForwarded[(int)kind]);

    public long DroppedCount(DropReason reason) => Volatile.Read(ref _dropped[(int)reason]);

    public long NacksReceived => Volatile.Read(ref _nackReceived);

    public long PlisSent
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _pliSent.Length; i++)
            {
                total += Volatile.Read(ref _pliSent[i]);
            }

            return total;
        }
    }

    public long PlisSentFor(KeyframeRequestReason reason) => Volatile.Read(ref _pliSent[(int)reason]);

    public long StunChecksAnswered => Volatile.Read(ref _stunAnswered);

    public long PacketsRetransmitted => Volatile.Read(ref _retransmitted);

    /// <summary>Generic NACKs we sent publishers for packets lost on their way to us.</summary>
    public long NacksSent => Volatile.Read(ref _nackSent);

    /// <summary>Packets lost on a publisher's uplink that its retransmission (RTX) restored.</summary>
    public long PacketsRepaired => Volatile.Read(ref _repaired);

    /// <summary>Times a down-track moved from one simulcast layer to another.</summary>
    public long LayerSwitches => Volatile.Read(ref _layerSwitches);

    /// <summary>Transport-wide feedback packets sent to publishers.</summary>
    public long TransportFeedbacksSent => Volatile.Read(ref _transportFeedbackSent);

    /// <summary>Times a subscription was moved to a lower layer because the subscriber's bandwidth could not carry it.</summary>
    public long BandwidthLayerDowns => Volatile.Read(ref _bandwidthLowered);

    /// <summary>Times a subscription was moved to a lower layer because the subscriber's bandwidth could not carry the one it had.</summary>
    public long BandwidthLayerReductions => Volatile.Read(ref _bandwidthLowered);

    /// <summary>Times a subscription was paused because the subscriber's bandwidth could not carry its lowest layer.</summary>
    public long BandwidthPauses => Volatile.Read(ref _bandwidthPaused);
}
