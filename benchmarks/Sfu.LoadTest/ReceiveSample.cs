namespace Sfu.LoadTest;

/// <summary>What every subscriber received so far, summed (counters are cumulative since the start).</summary>
/// <param name="Packets">Media packets received and accounted to a known stream.</param>
/// <param name="Bytes">UDP payload bytes received (SRTP for the SFUs, plain for the relay).</param>
/// <param name="Expected">Packets the sequence numbers say should have arrived.</param>
/// <param name="Tracks">Received streams summed over subscribers.</param>
/// <param name="LatencyP50Milliseconds">Median over streams of each stream's median one-way latency.</param>
/// <param name="LatencyP99Milliseconds">Median over streams of each stream's 99th percentile.</param>
internal readonly record struct ReceiveSample(long Packets, long Bytes, long Expected, int Tracks, double LatencyP50Milliseconds, double LatencyP99Milliseconds)
{
    /// <summary>Sums every stream's counters; latency is the median over streams of their percentiles.</summary>
    public static ReceiveSample Sum(IReadOnlyList<StreamCounters> streams, long bytes) => new(
        streams.Sum(s => s.Packets),
        bytes,
        streams.Sum(s => s.Expected),
        streams.Count,
        Median([.. streams.Select(s => s.LatencyP50Milliseconds)]),
        Median([.. streams.Select(s => s.LatencyP99Milliseconds)]));

    private static double Median(List<double> values)
    {
        values.RemoveAll(double.IsNaN);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values[values.Count / 2];
    }
}
