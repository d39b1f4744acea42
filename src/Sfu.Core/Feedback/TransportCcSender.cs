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

    private readonly long[] _sentMicros = new long[Capacity];
    private readonly int[] _sizes = new int[Capacity];
    private readonly ushort[] _sequence = new ushort[Capacity];
    private readonly bool[] _probe = new bool[Capacity];
    private readonly double _microsPerTick = 1_000_000.0 / time.TimestampFrequency;
    private ushort _next;

    /// <summary>The number for a packet of <paramref name="size"/> bytes leaving now; remembered.</summary>
    public ushort Stamp(int size, long now, bool probe = false)
    {
        ushort sequence = _next++;
        int slot = sequence % Capacity;
        _sequence[slot] = sequence;
        _sentMicros[slot] = (long)(now * _microsPerTick);
        _sizes[slot] = size;
        _probe[slot] = probe;
        return sequence;
    }

    /// <summary>
    /// What one feedback says about packets we still remember, in sequence order, into
    /// <paramref name="results"/>; returns how many.
    /// </summary>
    public int Resolve(in TransportWideFeedback feedback, Span<PacketResult> results)
    {
        int count = 0;
        foreach (TransportWidePacketStatus status in feedback.Packets)
        {
            int slot = status.SequenceNumber % Capacity;
            if (count == results.Length || _sequence[slot] != status.SequenceNumber || _sizes[slot] == 0)
            {
                continue;
            }

            results[count++] = new PacketResult(_sentMicros[slot], _sizes[slot], status.Received, status.ArrivalMicros, _probe[slot]);
        }

        return count;
    }

    /// <summary>Now, in the microseconds the results use.</summary>
    public long MicrosAt(long now) => (long)(now * _microsPerTick);
}
