using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// What the engine hands every participant at creation: clocks, counters, metrics, loggers and
/// the address peers reach us at. Routing needs nothing else from above, and never calls up.
/// </summary>
public sealed record MediaServices(
    TimeProvider Time,
    MediaCounters Counters,
    SfuMetrics? Metrics,
    ILoggerFactory LoggerFactory,
    string AnnouncedAddress,
    Func<int> AnnouncedPort,
    ulong MaxVideoBitrate,
    Func<int>? AnnouncedTcpPort = null)
{
    /// <summary>What one peer may make the media plane create, parse or send.</summary>
    public MediaLimits Limits { get; init; } = new();

    /// <summary>The bytes all retransmission buffers may hold together.</summary>
    public RetransmissionBudget Retransmissions { get; init; } = RetransmissionBudget.Unlimited;
}
