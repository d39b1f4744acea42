namespace Sfu.Core.Streams;

/// <summary>
/// One sender report of a stream we receive (RFC 3550 §6.4.1): the sender's NTP time, the RTP
/// timestamp that matches it, and when the report arrived by our clock. It ties the stream's
/// RTP clock to ours, which is what forwarding needs to write sender reports of its own and to
/// line timestamps up across simulcast layers. A value: the stream keeps the last one in place
/// (see <see cref="RtpReceiveStream.LastSenderReport"/>), so a report allocates nothing.
/// </summary>
public readonly record struct SenderReportTiming(ulong NtpTimestamp, uint RtpTimestamp, long ArrivedAt)
{
    /// <summary>The middle 32 bits of the NTP time: what receivers echo as LSR.</summary>
    public uint CompactNtp => (uint)(NtpTimestamp >> 16);

    /// <summary>
    /// The stream's RTP timestamp at <paramref name="now"/> (a <see cref="TimeProvider"/>
    /// timestamp), extrapolated from this report at the nominal clock rate.
    /// </summary>
    public uint RtpTimestampAt(long now, int clockRate, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        double elapsed = time.GetElapsedTime(ArrivedAt, now).TotalSeconds;
        return unchecked(RtpTimestamp + (uint)(long)Math.Round(elapsed * clockRate));
    }
}
