namespace Sfu.LoadTest;

/// <summary>A forwarder under load together with its publishers and subscribers.</summary>
internal interface ILoadTarget : IAsyncDisposable
{
    /// <summary>The process whose CPU time is charged to forwarding (the first node of a cluster).</summary>
    int ServerProcessId { get; }

    /// <summary>Every process whose CPU time is charged to forwarding: one per node.</summary>
    IReadOnlyList<int> ServerProcessIds => [ServerProcessId];

    /// <summary>Cluster runs: RTP packets the nodes have relayed to each other so far; null for a single server.</summary>
    Task<long?> ReadRelayedPacketsAsync(CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    /// <summary>Connects every participant and returns once media reaches all of them.</summary>
    Task StartAsync(Action<string> status, CancellationToken cancellationToken);

    /// <summary>Participants that connected only at the second attempt.</summary>
    int ConnectRetries { get; }

    /// <summary>
    /// What the subscribers received so far. <paramref name="withLatency"/> adds the latency
    /// percentiles, which sort every stream's samples: the measurement window reads them once, at
    /// its end, so the per-second readings do not load the machine the server runs on.
    /// </summary>
    ReceiveSample Sample(bool withLatency);

    /// <summary>Simulcast runs: the video sizes the subscribers receive, from their key frames; null otherwise.</summary>
    string? ReceivedLayers => null;

    /// <summary>Receive-only participants whose media arrived over ICE-TCP.</summary>
    int SubscribersOverTcp => 0;

    /// <summary>Downlink-limit runs: shapes each full subscriber's downlink to <paramref name="limit"/> (lifted after <paramref name="liftAfter"/>, if given) and watches how the server fits it; null where it cannot.</summary>
    Task<DownlinkWatch?> LimitDownlinksAsync(long limit, TimeSpan? liftAfter, CancellationToken cancellationToken) => Task.FromResult<DownlinkWatch?>(null);

    /// <summary>The measured window starts: latency percentiles from here on only.</summary>
    void ClearLatency();
}
