using System.Globalization;
using StackExchange.Redis;

namespace Sfu.Host.Cluster;

/// <summary>
/// Whether this node reaches the cluster's Redis, and since when it does not. The node keeps
/// serving its own rooms while Redis is unreachable; everything that writes to Redis asks
/// here first instead of failing (and logging) once per call. A loss and a return are each
/// logged once; <see cref="Restored"/> tells the backplane and the roster to publish again
/// what changed locally meanwhile. The multiplexer's failure events and the heartbeat's
/// outcome feed it, so a loss is seen at once and a return within one beat.
/// </summary>
internal sealed partial class RedisLink : IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _clock;
    private readonly ILogger<RedisLink> _logger;
    private readonly Lock _gate = new();
    private DateTimeOffset? _downSince;

    public RedisLink(IConnectionMultiplexer redis, TimeProvider clock, ILogger<RedisLink> logger)
    {
        _redis = redis;
        _clock = clock;
        _logger = logger;
        redis.ConnectionFailed += OnConnectionFailed;
        if (!redis.IsConnected)
        {
            Lost(null);
        }
    }

    /// <summary>Raised once per loss of Redis, on the thread that saw it.</summary>
    public event Action? Dropped;

    /// <summary>Raised once per return of Redis, after it was lost, on the thread that saw it.</summary>
    public event Action? Restored;

    /// <summary>Redis answers now: commands go to it.</summary>
    public bool IsUp => _redis.IsConnected && DownSince is null;

    /// <summary>When Redis was found unreachable; null while it is reachable.</summary>
    public DateTimeOffset? DownSince
    {
        get
        {
            lock (_gate)
            {
                return _downSince;
            }
        }
    }

    /// <summary>Why the node works alone ("cluster: redis unreachable since …"); null while Redis answers.</summary>
    public string? Reason
    {
        get
        {
            // The multiplexer drops IsConnected before it raises ConnectionFailed: a reader in
            // between sees the loss first, and records it, so the reason never names a state
            // ("connecting") that the node is not in.
            if (!_redis.IsConnected)
            {
                Lost(null);
            }

            return DownSince is DateTimeOffset since
                ? $"cluster: redis unreachable since {since.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}"
                : null;
        }
    }

    /// <summary>Redis did not answer (a failed command or connection): from now on the node works alone.</summary>
    public void Lost(Exception? cause)
    {
        lock (_gate)
        {
            if (_downSince is not null)
            {
                return;
            }

            _downSince = _clock.GetUtcNow();
        }

        // One line, without the stack: the loss is an outage of a peer, not a fault of this process.
        LogLost(_logger, cause?.Message ?? "no connection");
        Dropped?.Invoke();
    }

    /// <summary>A command to Redis succeeded: the node is in the cluster again.</summary>
    public void Back()
    {
        DateTimeOffset since;
        lock (_gate)
        {
            if (_downSince is null || !_redis.IsConnected)
            {
                return;
            }

            since = _downSince.Value;
            _downSince = null;
        }

        LogBack(_logger, since);
        Restored?.Invoke();
    }

    public void Dispose()
    {
        _redis.ConnectionFailed -= OnConnectionFailed;
    }

    // A return is confirmed by the heartbeat's next command, not by a socket that reopened.
    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) => Lost(e.Exception);

    [LoggerMessage(EventId = 4506, Level = LogLevel.Warning, Message = "The cluster's Redis is unreachable ({Reason}): serving this node's rooms alone until it is back")]
    private static partial void LogLost(ILogger logger, string reason);

    [LoggerMessage(EventId = 4507, Level = LogLevel.Information, Message = "The cluster's Redis is reachable again (unreachable since {Since:O}): publishing this node's rooms again")]
    private static partial void LogBack(ILogger logger, DateTimeOffset since);
}
