namespace Sfu.Core.Streams;

/// <summary>
/// Moving from one stream of a sender to another (a simulcast layer switch) without a jump in
/// the timestamps the subscriber sees. Each stream's RTP clock starts at its own random value
/// (RFC 3550 §5.1), but one sender's streams share its NTP clock, and each stream's last sender
/// report ties the two together (§6.4.1): a timestamp of the new stream is a wall-clock instant,
/// which the old stream's report turns back into the old stream's timestamp.
/// </summary>
public static class TimestampAlignment
{
    /// <summary>
    /// The timestamp on stream <paramref name="from"/>'s clock of the instant that
    /// <paramref name="timestamp"/> marks on stream <paramref name="to"/>'s clock, both at
    /// <paramref name="clockRate"/>; false when either report is missing.
    /// </summary>
    public static bool TryAlign(SenderReportTiming? from, SenderReportTiming? to, uint timestamp, int clockRate, out uint aligned)
    {
        aligned = 0;
        if (from is not { } fromReport || to is not { } toReport || clockRate <= 0)
        {
            return false;
        }

        // NTP is 32.32 fixed point; the difference of two reports of one sender is small.
        double ntpDifference = (long)(toReport.NtpTimestamp - fromReport.NtpTimestamp) / 4294967296.0;
        long sinceReport = unchecked((int)(timestamp - toReport.RtpTimestamp));
        aligned = unchecked(fromReport.RtpTimestamp + (uint)(long)Math.Round(ntpDifference * clockRate) + (uint)sinceReport);
        return true;
    }
}
