namespace Sfu.Bots;

/// <summary>
/// Keeps the most recent one-way latency samples in a fixed ring (no allocation per sample) and
/// computes percentiles over them on demand.
/// </summary>
internal sealed class LatencyRecorder(int capacity = 4096)
{
    private readonly double[] _samples = new double[capacity];
    private int _next;
    private int _count;

    public long Total { get; private set; }

    public void Add(double milliseconds)
    {
        _samples[_next] = milliseconds;
        _next = (_next + 1) % _samples.Length;
        if (_count < _samples.Length)
        {
            _count++;
        }

        Total++;
    }

    /// <summary>Forgets the retained samples (the total count stays), e.g. when a measurement window starts.</summary>
    public void Clear()
    {
        _next = 0;
        _count = 0;
    }

    /// <summary>Nearest-rank percentile (0..100) over the retained samples; NaN when there are none.</summary>
    public double Percentile(double percent)
    {
        if (_count == 0)
        {
            return double.NaN;
        }

        double[] copy = _samples[.._count];
        Array.Sort(copy);
        int rank = (int)Math.Ceiling(percent / 100.0 * copy.Length);
        return copy[Math.Clamp(rank - 1, 0, copy.Length - 1)];
    }
}
