namespace Sfu.LoadTest;

/// <summary>One received stream at one subscriber: cumulative packets, expected packets, latency percentiles.</summary>
internal readonly record struct StreamCounters(long Packets, long Expected, double LatencyP50Milliseconds, double LatencyP99Milliseconds);
