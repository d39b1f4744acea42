namespace Sfu.Host.Meeting;

/// <summary>
/// How many join and leave notices one room is shown by name: at most <c>perWindow</c> in a
/// fixed window of <c>window</c>; the comings and goings past that (and those of an identity
/// past its own allowance) are counted, and told as one summary line when the window ends.
/// So churn costs the room at most <c>perWindow</c> + 1 lines a window, whatever names the
/// churners chose. Thread-safe.
/// </summary>
internal sealed class NoticeWindow(int perWindow, TimeSpan window, TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _windowStart = long.MinValue;
    private int _named;
    private int _joined;
    private int _left;
    private bool _flushPending;

    /// <summary>
    /// Whether this notice may name its participant; <paramref name="identityAllows"/> is asked
    /// only when the room has room for it. False: it was counted for the summary.
    /// </summary>
    /// <param name="joined">A join (else a departure).</param>
    /// <param name="identityAllows">Takes one notice from the participant's identity's allowance.</param>
    /// <param name="flushDue">Set when a summary must be scheduled: how long until the window ends.</param>
    public bool TryName(bool joined, Func<bool> identityAllows, out TimeSpan? flushDue)
    {
        flushDue = null;
        lock (_gate)
        {
            long now = time.GetTimestamp();
            if (_windowStart == long.MinValue || time.GetElapsedTime(_windowStart, now) >= window)
            {
                _windowStart = now;
                _named = 0;
            }

            if (_named < perWindow && identityAllows())
            {
                _named++;
                return true;
            }

            if (joined)
            {
                _joined++;
            }
            else
            {
                _left++;
            }

            if (!_flushPending)
            {
                _flushPending = true;
                TimeSpan remaining = window - time.GetElapsedTime(_windowStart, now);
                flushDue = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
            }

            return false;
        }
    }

    /// <summary>The counts not told yet, reset; null when there are none.</summary>
    public string? TakeSummary()
    {
        lock (_gate)
        {
            _flushPending = false;
            (int joined, int left) = (_joined, _left);
            (_joined, _left) = (0, 0);
            return (joined, left) switch
            {
                (0, 0) => null,
                (_, 0) => $"…and {joined} {Others(joined)} joined",
                (0, _) => $"…and {left} {Others(left)} left",
                _ => $"…and {joined} {Others(joined)} joined, {left} left",
            };
        }
    }

    private static string Others(int count) => count == 1 ? "other" : "others";
}
