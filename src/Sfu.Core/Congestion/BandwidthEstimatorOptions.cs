namespace Sfu.Core.Congestion;

/// <summary>Bounds and starting point of a bandwidth estimate, in bits per second.</summary>
/// <param name="Initial">Where an estimate starts: generous, so a room starts on the layers its tiles want; the first overuse cuts it to what the path carries.</param>
/// <param name="OveruseMs">
/// How long (ms of send time) the delay trend must stay above its threshold before it counts as
/// overuse. libwebrtc uses 10 ms; we wait longer because a loaded machine — ours or the
/// receiver's — stalls for tens of milliseconds and then catches up, which a 10 ms rule takes for
/// a queue, while a real queue keeps growing and is still caught well within a second.
/// </param>
public sealed record BandwidthEstimatorOptions(long Initial = 5_000_000, long Min = 50_000, long Max = 50_000_000, double OveruseMs = 60);
