namespace Sfu.Core.Rtp;

/// <summary>
/// Extends 32-bit RTP timestamps to 64 bits, placing each input at the signed 32-bit
/// distance from the highest timestamp seen (same rule as <see cref="SequenceNumberUnwrapper"/>),
/// so B-frame style backwards steps and reordering do not count as a wrap. Not thread-safe.
/// </summary>
public sealed class TimestampUnwrapper
{
    private bool _started;
    private long _highest;

    /// <summary>The highest extended timestamp seen, or -1 before the first one.</summary>
    public long Highest => _started ? _highest : -1;

    /// <summary>Returns the extended timestamp for <paramref name="timestamp"/>.</summary>
    public long Unwrap(uint timestamp)
    {
        if (!_started)
        {
            _started = true;
            _highest = timestamp;
            return timestamp;
        }

        long extended = _highest + RtpSequence.Distance((uint)_highest, timestamp);
        if (extended > _highest)
        {
            _highest = extended;
        }

        return extended;
    }

    /// <summary>Forgets all state.</summary>
    public void Reset()
    {
        _started = false;
        _highest = 0;
    }
}
