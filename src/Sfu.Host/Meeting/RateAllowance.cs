namespace Sfu.Host.Meeting;

/// <summary>
/// A token bucket that holds at most <c>burst</c> uses and refills at <c>perSecond</c>, so a
/// person can paste a few chat lines or toggle the microphone twice quickly, but a script
/// cannot flood the room. Not thread-safe; the caller holds a lock.
/// </summary>
internal sealed class RateAllowance(int burst, double perSecond, TimeProvider time)
{
    private double _tokens = burst;
    private long _refilledAt = time.GetTimestamp();

    /// <summary>How long a drained allowance takes to be full again.</summary>
    public TimeSpan RefillTime => perSecond > 0 ? TimeSpan.FromSeconds(burst / perSecond) : TimeSpan.Zero;

    /// <summary>Takes one use from the allowance; false when it is used up.</summary>
    public bool TryTake()
    {
        long now = time.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond));
        _refilledAt = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
