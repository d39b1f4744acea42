using Sfu.Core.Diagnostics;
using Sfu.Core.Rtcp;
using Sfu.Core.Streams;

namespace Sfu.Core.Feedback;

/// <summary>
/// Answers a peer's generic NACKs (RFC 4585 §6.2.1) for streams we send it, from the packets
/// kept at the server, so loss between us and a subscriber never travels back to the
/// publisher. A packet resent less than a round trip ago is not resent again (the first copy
/// may still be on its way; mediasoup's RtpStreamSend has the same rule), one NACK makes at
/// most <paramref name="maxResendsPerNack"/> resends, so a crafted NACK naming thousands of
/// packets costs no more than a real one, and all NACKs of one subscriber together make at most
/// <paramref name="resendsPerSecond"/> (<see cref="ResendBudget"/>), however many a compound
/// packs. Resends refused by either bound are counted as <see cref="DropReason.ResendBudget"/>.
/// </summary>
/// <param name="maxResendsPerNack">0: no cap.</param>
/// <param name="resendsPerSecond">0: no budget.</param>
public sealed class NackResponder(
    FeedbackStreams streams,
    MediaCounters counters,
    TimeProvider time,
    int maxResendsPerNack = NackResponder.MaxResendsPerNack,
    int resendsPerSecond = 0) : IRtcpProcessor
{
    /// <summary>Resends one NACK packet may cause by default; what it names beyond this is asked again by the peer.</summary>
    public const int MaxResendsPerNack = 64;

    private readonly ResendBudget _budget = new(resendsPerSecond, time.TimestampFrequency);

    /// <summary>Until the round-trip time is known, a resend is not repeated within this.</summary>
    public static readonly TimeSpan DefaultResendInterval = TimeSpan.FromMilliseconds(10);

    private static readonly TimeSpan MinResendInterval = TimeSpan.FromMilliseconds(3);
    private static readonly TimeSpan MaxResendInterval = TimeSpan.FromMilliseconds(500);

    public void Process(in RtcpPacket packet, long now, Span<byte> scratch)
    {
        if (packet.Header.PacketType != RtcpPacketType.TransportFeedback || packet.Header.Format != GenericNack.Format)
        {
            return;
        }

        counters.NackReceived();
        if (!GenericNack.TryParse(packet.Data, out GenericNack nack) || !streams.TryGetSent(nack.MediaSsrc, out IOutboundStream outbound))
        {
            return;
        }

        RtpSendStream stream = outbound.Stream;
        long minInterval = ResendIntervalTicks(stream.Quality.RoundTripSeconds);
        int resends = 0;
        foreach (ushort sequenceNumber in nack.LostSequenceNumbers)
        {
            // Past the cap or the budget the rest is only counted: a NACK packet names at most
            // 17 packets per 4 bytes, so the loop is bounded by the datagram's size.
            if ((maxResendsPerNack > 0 && resends == maxResendsPerNack) || _budget.IsSpent(now))
            {
                counters.Dropped(DropReason.ResendBudget);
                continue;
            }

            if (!stream.TryBeginResend(sequenceNumber, now, minInterval))
            {
                continue;
            }

            _budget.Take();
            resends++;
            if (outbound.Retransmit(sequenceNumber, scratch))
            {
                counters.Retransmitted();
            }
        }
    }

    private long ResendIntervalTicks(double roundTripSeconds)
    {
        TimeSpan interval = double.IsNaN(roundTripSeconds)
            ? DefaultResendInterval
            : TimeSpan.FromSeconds(Math.Clamp(roundTripSeconds, MinResendInterval.TotalSeconds, MaxResendInterval.TotalSeconds));
        return (long)(interval.TotalSeconds * time.TimestampFrequency);
    }
}
