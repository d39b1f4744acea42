namespace Sfu.Host.Meeting;

/// <summary>
/// One participant's chat allowance: a token bucket that holds at most <c>burst</c> messages
/// and refills at <c>perSecond</c>, so a person can paste a few lines at once but a script
/// cannot flood the room. Not thread-safe; the caller holds the session's gate.
/// </summary>
internal sealed class ChatAllowance(int burst, double perSecond, TimeProvider time)
{
    private double _tokens = burst;
    private long _refilledAt = time.GetTimestamp();

    /// <summary>Takes one message from the allowance; false when it is used up.</summary>
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
