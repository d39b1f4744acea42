using System.Diagnostics;

namespace Sfu.Core.Net;

/// <summary>
/// How much work the media thread running this code had in its last window: the time it spent
/// handling datagrams rather than waiting for one, plus the time other threads spent on work it
/// handed them (a split fan-out's shards), as a share of the window. A thread that keeps up
/// with its socket reads below 100; one whose work would not fit on one core reads above.
/// </summary>
/// <remarks>
/// Measured by the receive loop itself: one timestamp before it blocks in the receive call and
/// one after, a few thread-local writes, nothing shared. Work handed to other threads is counted
/// here, and not only the receiving thread's own time, so that splitting a fan-out does not make
/// the thread look idle and stop the split that relieved it. A thread that is not a receive loop
/// (a test driving the engine, a TCP connection's reader) reads 0.
/// </remarks>
public static class MediaThreadLoad
{
    /// <summary>
    /// How every media thread's name starts: sfu-media-rx-N for a receive loop, sfu-media-fo-N for
    /// a fan-out helper (Linux shows 15 characters of a thread name, in /proc/PID/task/TID/stat).
    /// </summary>
    public const string ThreadNamePrefix = "sfu-media-";

    /// <summary>The window one reading covers: a tenth of a second, short enough to follow a room that fills up, long enough to span many packets.</summary>
    public static readonly long Window = Stopwatch.Frequency / 10;

    [ThreadStatic]
    private static long t_windowStart;

    [ThreadStatic]
    private static long t_waitStart;

    [ThreadStatic]
    private static long t_waited;

    [ThreadStatic]
    private static long t_handedOff;

    [ThreadStatic]
    private static int t_percent;

    /// <summary>The calling thread's work in its last complete window, in percent of one core (may exceed 100).</summary>
    public static int Percent => t_percent;

    /// <summary>
    /// Counts <paramref name="ticks"/> (<see cref="Stopwatch"/>) of work other threads did for
    /// this one, less the time this one spent waiting for it (which the loop already counts as
    /// busy); may be negative.
    /// </summary>
    internal static void HandedOff(long ticks) => t_handedOff += ticks;

    /// <summary>The receive loop is about to block for the next datagram.</summary>
    internal static void WaitStarts(long now)
    {
        if (t_windowStart == 0)
        {
            t_windowStart = now;
        }

        t_waitStart = now;
    }

    /// <summary>The receive loop has a datagram (or an error) back; closes the window when it has run its length.</summary>
    internal static void WaitEnds(long now)
    {
        t_waited += now - t_waitStart;
        long elapsed = now - t_windowStart;
        if (elapsed >= Window)
        {
            long worked = elapsed - t_waited + t_handedOff;
            t_percent = (int)Math.Clamp(worked * 100 / elapsed, 0, 10_000);
            t_windowStart = now;
            t_waited = 0;
            t_handedOff = 0;
        }
    }
}
