using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;

namespace Sfu.Core.Streams;

/// <summary>
/// What we learn about one inbound RTP stream as it arrives, and the RTCP report block that
/// tells its sender (RFC 3550 §6.4.1): loss from the extended sequence numbers (Appendix A.3),
/// interarrival jitter (Appendix A.8) and the LSR/DLSR pair that lets the sender measure
/// round-trip time. Updated on the media path (under its room's media gate); a report is read from the RTCP timer, whose
/// view may lag one packet behind — good enough for statistics, and it takes no lock.
/// </summary>
public sealed class ReceiveStatistics(int clockRate, TimeProvider time)
{
    private readonly Unwrapper<ushort> _sequence = new();
    private long _baseSequence = -1;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;
    private long _lastTransit;
    private bool _hasTransit;
    private double _jitter;
    private uint _lastSenderReport;
    private long _lastSenderReportArrival;

    public long PacketsReceived => Volatile.Read(ref _received);

    public long HighestSequenceNumber => _sequence.Highest;

    /// <summary>Interarrival jitter in RTP timestamp units.</summary>
    public uint Jitter => (uint)_jitter;

    /// <summary>Packets expected but not received so far (may be negative with duplicates).</summary>
    public long CumulativeLost => _baseSequence < 0 ? 0 : (_sequence.Highest - _baseSequence + 1) - _received;

    public void OnPacket(ushort sequenceNumber, uint rtpTimestamp, long arrivalTimestamp)
    {
        long extended = _sequence.Unwrap(sequenceNumber);
        if (_baseSequence < 0 || extended < _baseSequence)
        {
            _baseSequence = extended;
        }

        _received++;

        // Transit time in RTP units; only differences matter, so the clock's origin does not.
        long arrivalUnits = (long)(arrivalTimestamp * (double)clockRate / time.TimestampFrequency);
        long transit = arrivalUnits - rtpTimestamp;
        if (_hasTransit)
        {
            long d = Math.Abs(transit - _lastTransit);
            _jitter += (d - _jitter) / 16.0;
        }

        _lastTransit = transit;
        _hasTransit = true;
    }

    /// <summary>Remembers the sender's last SR: its middle 32 NTP bits and when it arrived.</summary>
    public void OnSenderReport(uint compactNtp, long arrivalTimestamp)
    {
        _lastSenderReport = compactNtp;
        Volatile.Write(ref _lastSenderReportArrival, arrivalTimestamp);
    }

    /// <summary>
    /// The report block for this stream, and the start of the next reporting interval:
    /// fraction lost covers the packets since the previous call (RFC 3550 A.3).
    /// </summary>
    public ReportBlock TakeReportBlock(uint ssrc, long nowTimestamp)
    {
        long highest = _sequence.Highest;
        long expected = _baseSequence < 0 ? 0 : highest - _baseSequence + 1;
        long received = Volatile.Read(ref _received);
        long expectedInterval = expected - _expectedPrior;
        long receivedInterval = received - _receivedPrior;
        _expectedPrior = expected;
        _receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)((lostInterval << 8) / expectedInterval);

        uint delay = 0;
        long srArrival = Volatile.Read(ref _lastSenderReportArrival);
        if (_lastSenderReport != 0)
        {
            // DLSR is in units of 1/65536 s.
            delay = (uint)(time.GetElapsedTime(srArrival, nowTimestamp).TotalSeconds * 65536);
        }

        long cumulative = expected - received;
        return new ReportBlock(
            ssrc,
            fraction,
            (int)Math.Clamp(cumulative, -0x80_0000, 0x7F_FFFF),
            highest < 0 ? 0 : (uint)highest,
            Jitter,
            _lastSenderReport,
            delay);
    }
}
