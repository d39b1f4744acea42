namespace Sfu.Host.Admin;

/// <summary>
/// One second of the server's life as the dashboard charts it. <see cref="MediaThreads"/>: each
/// media thread's CPU in percent of one core, by thread name (none where /proc cannot be read).
/// </summary>
internal readonly record struct StatsSample(
    double Time,
    double ForwardedPacketsPerSecond,
    double BitrateIn,
    double BitrateOut,
    int Participants,
    int Rooms,
    double CpuPercent,
    double GcHeapMegabytes,
    double GcPauseMsPerSecond,
    double LossPercent,
    double RoundTripMs,
    IReadOnlyDictionary<string, double> MediaThreads,
    double SplitFanOutsPerSecond);
