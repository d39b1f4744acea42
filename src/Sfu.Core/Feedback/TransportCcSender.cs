using Sfu.Core.Congestion;
using Sfu.Core.Rtcp;

namespace Sfu.Core.Feedback;

/// <summary>
/// The transport-wide sequence numbers we give every packet toward one receiver
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2), with when each left and how large
/// it was, so its feedback turns into <see cref="PacketResult"/>s for the estimator. A fixed
/// ring: nothing allocated per packet. Media path only (one thread at a time: its room's media gate).
/// </summary>
public sealed class TransportCcSender(TimeProvider time)
{
    /// <summary>Packets remembered; feedback about older ones is ignored.</summary>
    public const int Capacity = 4096;

    // One record per packet, not one array per field: a stamp writes one cache line, where four
    // arrays cost four (at a fan-out of hundreds they are out of the cache by the next packet).
    private readonly SentPacket[] _sent = new SentPacket[Capacity];
    private readonly double _microsPerTick = 1_000_000.0 / time.TimestampFrequency;
    private ushort _next;

    /// <summary>The number for a packet of <paramref name="size"/> bytes leaving now; remembered.</summary>
    public ushort Stamp(int size, long now, bool probe = false)
    {
        ushort sequence = _next++;
        _sent[sequence % Capacity] = new SentPacket((long)(now * _microsPerTick), size, sequence, probe);
        return sequence;
    }

    /// <summary>
    /// Hints the CPU to load the slot the next <see cref="Stamp"/> writes: the ring is 64 KB a
    /// subscriber, so at a fan-out of hundreds every stamp lands on a line out of the cache (see
    /// <see cref="CachePrefetch"/>). No effect on behaviour.
    /// </summary>
    internal void PrefetchNext() => CachePrefetch.Element(_sent, _next % Capacity);

    /// <summary>
    /// What one feedback says about packets we still remember, in sequence order, into
    /// <paramref name="results"/>; returns how many.
    /// </summary>
    public int Resolve(in TransportWideFeedback feedback, Span<PacketResult> results)
    {
        int count = 0;
        foreach (TransportWidePacketStatus status in feedback.Packets)
        {
            ref readonly SentPacket sent = ref _sent[status.SequenceNumber % Capacity];
            if (count == results.Length || sent.Sequence != status.SequenceNumber || sent.Size == 0)
            {
                continue;
            }

            results[count++] = new PacketResult(sent.SentMicros, sent.Size, status.Received, status.ArrivalMicros, sent.Probe);
        }

        return count;
    }

    /// <summary>Now, in the microseconds the results use.</summary>
    public long MicrosAt(long now) => (long)(now * _microsPerTick);

    /// <summary>What is remembered of one packet sent: 16 bytes, four to a cache line.</summary>
    private readonly record struct SentPacket(long SentMicros, int Size, ushort Sequence, bool Probe);
}
