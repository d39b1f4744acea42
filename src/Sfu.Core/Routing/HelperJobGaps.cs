using System.Diagnostics;

namespace Sfu.Core.Routing;

/// <summary>
/// How long a fan-out helper (<see cref="FanOutWorkers"/>) waits between jobs, and so whether
/// it watches its mailbox for a while before it sleeps. Under saturation, and within a video
/// frame's burst of packets, the next job comes a few microseconds after the last shard, and
/// sleeping costs a wake-up each time: a futex call on the posting thread and 16–30 µs before
/// the helper runs (measured here; on a virtual machine an interrupt to a sleeping core). At
/// lower rates the gap is long and watching would burn CPU for nothing (a helper that spun on
/// every wait once took an eighth of the server's CPU at 1 → 100). So it spins only while the
/// recent gaps are short, for a little longer than they last. Helper thread only.
/// </summary>
internal struct HelperJobGaps
{
    /// <summary>
    /// The longest average gap still spun for. A gap measured after a sleep includes the
    /// wake-up, so this must exceed it, or a helper that once slept would never spin again.
    /// </summary>
    public static readonly long MaxSpinTicks = Stopwatch.Frequency * 40 / 1_000_000;

    private long _average;

    /// <summary>How long to watch for the next job: 0 unless the recent gaps averaged under <see cref="MaxSpinTicks"/>.</summary>
    public readonly long SpinTicks => _average < MaxSpinTicks ? Math.Min(MaxSpinTicks, _average * 3 / 2) : 0;

    /// <summary>One gap in <see cref="Stopwatch"/> ticks, from the end of the last job to the start of this one (an average over about the last eight).</summary>
    public void Observe(long ticks)
    {
        // A long idle spell counts as a long gap, not as one that takes minutes of short ones to forget.
        ticks = Math.Clamp(ticks, 1, MaxSpinTicks * 8);
        _average = _average == 0 ? ticks : _average + ((ticks - _average) / 8);
    }
}
