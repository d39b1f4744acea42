using System.Buffers.Binary;

namespace Sfu.Core.Rtcp;

/// <summary>
/// Writes transport-wide feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1)
/// for packets we received: a run-length chunk for each run of seven or more equal statuses,
/// else 2-bit status vectors, then the receive deltas. Arrival times are in microseconds on
/// our clock; the reference time is the first arrival rounded down to 64 ms.
/// </summary>
public static class TransportWideFeedbackWriter
{
    /// <summary>The most packets one feedback reports on (a bound that keeps it well inside one datagram).</summary>
    public const int MaxPackets = 300;

    /// <summary>Bytes needed for <paramref name="packets"/> statuses at most.</summary>
    public static int MaxSize(int packets) => TransportWideFeedback.MinimumSize + (2 * packets) + (2 * packets) + 3;

    /// <summary>
    /// Writes feedback on <paramref name="arrivals"/>.Length consecutive sequence numbers from
    /// <paramref name="baseSequenceNumber"/>: each entry the arrival in µs, or -1 for a packet that
    /// did not arrive. Returns the length, or -1 when it does not fit or there is nothing to report.
    /// </summary>
    public static int TryWrite(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ushort baseSequenceNumber, ReadOnlySpan<long> arrivals, byte feedbackCount)
        => Write(destination, senderSsrc, mediaSsrc, baseSequenceNumber, arrivals, feedbackCount, stopAtLongGap: false, out _);

    /// <summary>
    /// Like <see cref="TryWrite"/>, but ends the feedback before the first arrival whose delta
    /// from the one before cannot be said in 16 bits (±8.19 s: after a long silence), as
    /// libwebrtc's receiver does; <paramref name="reported"/> says how many of
    /// <paramref name="arrivals"/> it covers, and the rest go in the next feedback, with a
    /// reference time of their own.
    /// </summary>
    public static int TryWritePrefix(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ushort baseSequenceNumber, ReadOnlySpan<long> arrivals, byte feedbackCount, out int reported)
        => Write(destination, senderSsrc, mediaSsrc, baseSequenceNumber, arrivals, feedbackCount, stopAtLongGap: true, out reported);

    private static int Write(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ushort baseSequenceNumber, ReadOnlySpan<long> arrivals, byte feedbackCount, bool stopAtLongGap, out int reported)
    {
        reported = 0;
        int count = arrivals.Length;
        if (count == 0 || count > MaxPackets || destination.Length < MaxSize(count))
        {
            return -1;
        }

        long first = -1;
        foreach (long arrival in arrivals)
        {
            if (arrival >= 0)
            {
                first = arrival;
                break;
            }
        }

        if (first < 0)
        {
            return -1;
        }

        long referenceUnits = first / TransportWideFeedback.ReferenceTimeUnitMicros;
        long previous = referenceUnits * TransportWideFeedback.ReferenceTimeUnitMicros;

        // Statuses and deltas first: a delta outside the 2-byte range cannot be said, and the
        // packet is reported lost (the sender then counts it as lost, which is what it is to us).
        Span<int> symbols = stackalloc int[count];
        Span<short> deltas = stackalloc short[count];
        for (int i = 0; i < count; i++)
        {
            if (arrivals[i] < 0)
            {
                symbols[i] = TransportWideChunk.NotReceived;
                continue;
            }

            // To the nearest 250 µs, as libwebrtc rounds, from the previous arrival as reported:
            // the error stays under half a unit and never accumulates.
            long units = (long)Math.Round((arrivals[i] - previous) / (double)TransportWideFeedback.DeltaUnitMicros, MidpointRounding.AwayFromZero);
            if (units < short.MinValue || units > short.MaxValue)
            {
                if (stopAtLongGap)
                {
                    count = i;
                    break;
                }

                symbols[i] = TransportWideChunk.NotReceived;
                continue;
            }

            deltas[i] = (short)units;
            symbols[i] = units is >= 0 and <= 255 ? TransportWideChunk.SmallDelta : TransportWideChunk.LargeDelta;
            previous += units * TransportWideFeedback.DeltaUnitMicros;
        }

        RtcpFeedback.WriteCommon(destination, TransportWideFeedback.Format, RtcpPacketType.TransportFeedback, 0, senderSsrc, mediaSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], baseSequenceNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)count);
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], (int)((referenceUnits & 0xFF_FFFF) << 8) | feedbackCount);

        int offset = TransportWideFeedback.MinimumSize;
        for (int i = 0; i < count;)
        {
            int run = 1;
            while (i + run < count && symbols[i + run] == symbols[i] && run < 0x1FFF)
            {
                run++;
            }

            if (run >= 7)
            {
                BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], TransportWideChunk.Run(symbols[i], run));
                i += run;
            }
            else
            {
                int take = Math.Min(7, count - i);
                BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], TransportWideChunk.TwoBitVector(symbols.Slice(i, take)));
                i += take;
            }

            offset += 2;
        }

        for (int i = 0; i < count; i++)
        {
            switch (symbols[i])
            {
                case TransportWideChunk.SmallDelta:
                    destination[offset++] = (byte)deltas[i];
                    break;
                case TransportWideChunk.LargeDelta:
                    BinaryPrimitives.WriteInt16BigEndian(destination[offset..], deltas[i]);
                    offset += 2;
                    break;
                default:
                    break;
            }
        }

        while (offset % 4 != 0)
        {
            destination[offset++] = 0;
        }

        RtcpHeader.Write(destination, TransportWideFeedback.Format, RtcpPacketType.TransportFeedback, offset);
        reported = count;
        return offset;
    }
}
