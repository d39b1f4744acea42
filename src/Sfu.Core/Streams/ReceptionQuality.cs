using Sfu.Core.Rtcp;

namespace Sfu.Core.Streams;

/// <summary>
/// How one subscriber receives a stream we send it, from the report blocks of its RTCP
/// receiver and sender reports (RFC 3550 §6.4.1): fraction lost, interarrival jitter, and the
/// round-trip time from LSR and DLSR. The SRs we forward carry the publisher's NTP time, not
/// ours, so round-trip time is measured against when we sent the SR whose middle NTP bits
/// come back as LSR (§6.4.1 "A = arrival − LSR − DLSR", with our own send time for LSR).
/// Written on the media path only (under its room's media gate); readers on other threads see the latest report or the
/// one before it.
/// </summary>
public sealed class ReceptionQuality
{
    /// <summary>SRs we remember: a subscriber reports on the newest it saw, usually the last one or two.</summary>
    private const int SentReports = 4;

    private readonly uint[] _sentCompactNtp = new uint[SentReports];
    private readonly long[] _sentAt = new long[SentReports];
    private readonly int _clockRate;
    private readonly TimeProvider _time;
    private int _nextSent;
    private double _roundTripSeconds = double.NaN;
    private double _jitterSeconds;
    private double _fractionLost;
    private long _cumulativeLost;
    private long _reports;

    public ReceptionQuality(int clockRate, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        ArgumentNullException.ThrowIfNull(time);
        _clockRate = clockRate;
        _time = time;
    }

    /// <summary>Reports received so far.</summary>
    public long Reports => Volatile.Read(ref _reports);

    /// <summary>The last measured round-trip time in seconds, NaN until one could be measured.</summary>
    public double RoundTripSeconds => _roundTripSeconds;

    /// <summary>The subscriber's interarrival jitter in seconds.</summary>
    public double JitterSeconds => _jitterSeconds;

    /// <summary>Loss over the subscriber's last reporting interval, 0 to 1.</summary>
    public double FractionLost => _fractionLost;

    /// <summary>Packets the subscriber counts as lost since it started receiving.</summary>
    public long CumulativeLost => _cumulativeLost;

    /// <summary>Remembers an SR we sent on this stream: its middle 32 NTP bits and when it left.</summary>
    internal void OnSenderReportSent(uint compactNtp, long sentAt)
    {
        _sentCompactNtp[_nextSent] = compactNtp;
        _sentAt[_nextSent] = sentAt;
        _nextSent = (_nextSent + 1) % SentReports;
    }

    /// <summary>
    /// Takes in one report block about this stream; true when it carried a round-trip time
    /// (its LSR names an SR we remember).
    /// </summary>
    internal bool OnReportBlock(in ReportBlock block, long arrivedAt)
    {
        _fractionLost = block.FractionLost / 256.0;
        _cumulativeLost = block.CumulativeLost;
        _jitterSeconds = block.Jitter / (double)_clockRate;
        Volatile.Write(ref _reports, _reports + 1);
        if (block.LastSenderReport == 0)
        {
            return false;
        }

        for (int i = 0; i < SentReports; i++)
        {
            if (_sentCompactNtp[i] == block.LastSenderReport)
            {
                double elapsed = _time.GetElapsedTime(_sentAt[i], arrivedAt).TotalSeconds;
                double delay = block.DelaySinceLastSenderReport / 65536.0;
                _roundTripSeconds = Math.Max(0, elapsed - delay);
                return true;
            }
        }

        return false;
    }
}
