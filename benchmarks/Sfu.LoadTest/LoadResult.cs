namespace Sfu.LoadTest;

/// <summary>One measured run, as written to JSON and printed.</summary>
internal sealed record LoadResult
{
    public required string Scenario { get; init; }

    public required string Target { get; init; }

    public required string Shape { get; init; }

    public required int Participants { get; init; }

    /// <summary>Streams forwarded to subscribers (one per received track).</summary>
    public required int ForwardedStreams { get; init; }

    public required double DurationSeconds { get; init; }

    public required long ForwardedPackets { get; init; }

    public required double ForwardedPacketsPerSecond { get; init; }

    /// <summary>UDP payload megabits per second leaving the forwarder (as received by the subscribers).</summary>
    public required double MbpsOut { get; init; }

    public required double ServerCpuSeconds { get; init; }

    /// <summary>The server's CPU use over the window, in cores (1.0 = one core busy).</summary>
    public required double ServerCores { get; init; }

    public required double CpuSecondsPer1000Packets { get; init; }

    public required double PacketsPerCpuSecond { get; init; }

    public required double LatencyP50Milliseconds { get; init; }

    public required double LatencyP99Milliseconds { get; init; }

    public required long ExpectedPackets { get; init; }

    public required long LostPackets { get; init; }

    public required double LossPercent { get; init; }

    /// <summary>
    /// The load tool's own CPU use over the window, in cores (its bots, and for the relay the
    /// publisher too): what the load took from the cores the server shares. NaN in results
    /// written before it was recorded.
    /// </summary>
    public double LoadToolCores { get; init; } = double.NaN;

    /// <summary>
    /// The longest gap between two of the window's one-second readings, in seconds. Well above 1,
    /// the load tool itself stalled (its machine overloaded), and its publishers may have sent
    /// less than planned: the run's rates are suspect. NaN in results written before it was recorded.
    /// </summary>
    public double LongestReadingGapSeconds { get; init; } = double.NaN;

    /// <summary>A <see cref="LongestReadingGapSeconds"/> beyond which the run is reported as stalled.</summary>
    public const double StalledReadingGapSeconds = 3;

    /// <summary>
    /// The scheduling policy the load tool's threads ran under: "batch" (SCHED_BATCH, the
    /// default since it was recorded) or "normal"; null in results written before it was recorded.
    /// </summary>
    public string? BotPolicy { get; init; }

    /// <summary>Simulcast runs: how many full subscribers received each video size at the end, e.g. "320×180: 4, 640×360: 3, 1280×720: 3".</summary>
    public string? ReceivedLayers { get; init; }

    /// <summary>Receive-only participants whose media arrived over ICE-TCP (--transport tcp).</summary>
    public int SubscribersOverTcp { get; init; }
    /// <summary>
    /// SfuRouter: the CPU each media thread of the server used over the window, in cores, by
    /// thread name (/proc/&lt;pid&gt;/task/*/stat); null for other targets.
    /// </summary>
    public IReadOnlyDictionary<string, double>? MediaThreadCores { get; init; }

    /// <summary>Cluster runs: each node's CPU in cores over the window, in node order (the fan-out's publisher is on the first).</summary>
    public IReadOnlyList<double>? NodeCores { get; init; }

    /// <summary>Cluster runs: RTP packets per second the nodes relayed to each other over the window.</summary>
    public double? RelayedPacketsPerSecond { get; init; }

    /// <summary>Downlink-limit runs: how the shaped subscribers' estimates and received rates met the limit.</summary>
    public DownlinkSummary? Downlink { get; init; }

    /// <summary>Participants that connected only at the second attempt (a handshake failed under load).</summary>
    public required int ConnectRetries { get; init; }

    public required int ProcessorCount { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>DOTNET_* settings the run inherited (they change the server's threading).</summary>
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
}
