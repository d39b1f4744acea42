namespace Sfu.Core.Rtp;

/// <summary>
/// Extends 16-bit RTP sequence numbers to 64 bits by counting wrap-arounds (the "cycles" of
/// RFC 3550 Appendix A.1). Each input is placed at the signed 16-bit distance from the
/// highest number seen so far, so late (reordered) packets before a wrap land in the old
/// cycle and do not move the highest value back. The first number is taken as-is; a late
/// packet from before it and across a wrap yields a negative value. Not thread-safe: one per stream.
/// </summary>
public sealed class SequenceNumberUnwrapper
{
    private bool _started;
    private long _highest;

    /// <summary>The highest extended sequence number seen, or -1 before the first packet.</summary>
    public long Highest => _started ? _highest : -1;

    /// <summary>Returns the extended sequence number for <paramref name="sequenceNumber"/>.</summary>
    public long Unwrap(ushort sequenceNumber)
    {
        if (!_started)
        {
            _started = true;
            _highest = sequenceNumber;
            return sequenceNumber;
        }

        long extended = _highest + RtpSequence.Distance((ushort)_highest, sequenceNumber);
        if (extended > _highest)
        {
            _highest = extended;
        }

        return extended;
    }

    /// <summary>Forgets all state (e.g. after an SSRC change).</summary>
    public void Reset()
    {
        _started = false;
        _highest = 0;
    }
}
