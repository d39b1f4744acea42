namespace Sfu.Core.Congestion;

/// <summary>Bounds and starting point of a bandwidth estimate, in bits per second.</summary>
public sealed record BandwidthEstimatorOptions(long Initial = 3_000_000, long Min = 50_000, long Max = 50_000_000);
