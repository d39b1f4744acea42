namespace Sfu.Core.Congestion;

/// <summary>Bounds and starting point of a bandwidth estimate, in bits per second.</summary>
/// <param name="Initial">Where an estimate starts: generous, so a room starts on the layers its tiles want; the first overuse cuts it to what the path carries.</param>
public sealed record BandwidthEstimatorOptions(long Initial = 5_000_000, long Min = 50_000, long Max = 50_000_000);
