namespace Sfu.Core.Feedback;

/// <summary>
/// The resends one subscriber may get per second, a token bucket holding one second's worth:
/// however its NACKs are written (many per compound, each naming many packets), it cannot
/// make us send more than this. Media path only (one thread at a time: its room's media gate).
/// </summary>
public sealed class ResendBudget
{
    private readonly double _perTick;
    private readonly double _capacity;
    private double _tokens;
    private long _last;

    /// <param name="perSecond">Resends per second; 0 means no bound.</param>
    /// <param name="frequency">Ticks per second of the timestamps given to <see cref="TryTake"/>.</param>
    public ResendBudget(int perSecond, long frequency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        _capacity = perSecond;
        _perTick = (double)perSecond / frequency;
        _tokens = perSecond;
        _last = long.MinValue;
    }

    /// <summary>True when no resend is left for now (the bucket refilled up to <paramref name="now"/>).</summary>
    public bool IsSpent(long now)
    {
        if (_capacity == 0)
        {
            return false;
        }

        if (_last != long.MinValue && now > _last)
        {
            _tokens = Math.Min(_capacity, _tokens + ((now - _last) * _perTick));
        }

        _last = now;
        return _tokens < 1;
    }

    /// <summary>Takes one resend, after <see cref="IsSpent"/> said one is left.</summary>
    public void Take()
    {
        if (_capacity > 0)
        {
            _tokens--;
        }
    }
}
