using Sfu.Core.Diagnostics;
using Sfu.Core.Rtcp;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

namespace Sfu.Core.Feedback;

/// <summary>
/// Asks a publisher again for what went missing on its way to us (RFC 4585 §6.2.1 generic
/// NACK), as soon as a gap shows and then on the stream's retry interval, so uplink loss is
/// repaired once at the server before any subscriber notices. The retry interval follows the
/// round trip to this peer, measured on what we send it (its reports on our SRs): the same path
/// its media takes to us.
/// </summary>
public sealed class NackRequester(FeedbackStreams streams, IRtcpSender publisher, uint reportSsrc, MediaCounters counters) : IRtcpReporter
{
    /// <summary>Sequence numbers asked for in one NACK; the rest wait for the next packet.</summary>
    public const int MaxPerNack = 32;

    /// <summary>After a packet of <paramref name="stream"/> arrived: NACK what is missing and due. Media path.</summary>
    public void OnPacket(RtpReceiveStream stream, long now)
    {
        if (SendDue(stream, publisher, reportSsrc, now))
        {
            counters.NackSent();
        }
    }

    /// <summary>
    /// NACKs to <paramref name="sender"/> what <paramref name="stream"/> misses and is due (at
    /// most <see cref="MaxPerNack"/>); true when one went out. Media path; allocates nothing.
    /// </summary>
    public static bool SendDue(RtpReceiveStream stream, IRtcpSender sender, uint reportSsrc, long now)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sender);
        if (stream.Nacks is not { MissingCount: > 0 } nacks)
        {
            return false;
        }

        Span<ushort> due = stackalloc ushort[MaxPerNack];
        int count = nacks.CollectDue(now, due);
        return count > 0 && Send(sender, reportSsrc, stream.Ssrc, due[..count]);
    }

    /// <summary>
    /// One generic NACK from <paramref name="reportSsrc"/> naming <paramref name="lost"/> (1 to
    /// <see cref="MaxPerNack"/>) of <paramref name="mediaSsrc"/>; true when it went out. Allocates nothing.
    /// </summary>
    public static bool Send(IRtcpSender sender, uint reportSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lost)
    {
        ArgumentNullException.ThrowIfNull(sender);
        if (lost.IsEmpty || lost.Length > MaxPerNack)
        {
            return false;
        }

        Span<byte> nack = stackalloc byte[RtcpFeedback.MinimumSize + (GenericNack.FciSize * MaxPerNack)];
        int length = GenericNack.TryWrite(nack, reportSsrc, mediaSsrc, lost);
        return length > 0 && sender.SendRtcp(nack[..length]);
    }

    /// <summary>Moves every stream's retry interval to what the latest round trip suggests.</summary>
    public void Report(long now)
    {
        double roundTrip = double.NaN;
        foreach (IOutboundStream outbound in streams.Sent)
        {
            double measured = outbound.Stream.Quality.RoundTripSeconds;
            if (!double.IsNaN(measured) && (double.IsNaN(roundTrip) || measured < roundTrip))
            {
                roundTrip = measured;
            }
        }

        if (double.IsNaN(roundTrip))
        {
            return;
        }

        TimeSpan retry = RetryIntervalFor(TimeSpan.FromSeconds(roundTrip));
        foreach (RtpReceiveStream stream in streams.Received)
        {
            if (stream.Nacks is { } nacks)
            {
                nacks.RetryInterval = retry;
            }
        }
    }

    /// <summary>One and a half round trips plus a little for the publisher to answer, within 20 ms to 500 ms.</summary>
    public static TimeSpan RetryIntervalFor(TimeSpan roundTrip)
        => TimeSpan.FromMilliseconds(Math.Clamp((roundTrip.TotalMilliseconds * 1.5) + 10, 20, 500));
}
