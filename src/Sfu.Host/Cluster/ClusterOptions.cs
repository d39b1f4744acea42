namespace Sfu.Host.Cluster;

/// <summary>
/// Configuration section "Sfu:Cluster". Unset <see cref="Redis"/> (the default) is a single
/// server with nothing to install; set, the node joins the cluster that shares that Redis.
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "Sfu:Cluster";

    /// <summary>A StackExchange.Redis connection string, such as "127.0.0.1:6379"; null: no cluster.</summary>
    public string? Redis { get; set; }

    /// <summary>This node's id, unique in the cluster; default: host name and HTTP port ("host:5080").</summary>
    public string? NodeId { get; set; }

    /// <summary>The HTTP URL other nodes and pages reach this node at; default: the first address Kestrel listens on.</summary>
    public string? Url { get; set; }

    /// <summary>How often the node writes its entry and load to the directory.</summary>
    public double HeartbeatSeconds { get; set; } = 1;

    /// <summary>How long an entry lives without a heartbeat: a node silent this long is dead to the others.</summary>
    public double NodeTtlSeconds { get; set; } = 5;

    /// <summary>The prefix of every Redis key and channel, so several clusters can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "sfu";

    /// <summary>
    /// The UDP port media between nodes uses, on the media bind address; default 0: any free
    /// port, which the node announces in the directory (two nodes on one machine need nothing more).
    /// </summary>
    public int RelayPort { get; set; }

    /// <summary>
    /// Tracks from other nodes one room may hold here (0: no limit). The other nodes are trusted
    /// (they share the Redis and pin each other's certificates), but a listing gone wrong, or a
    /// room spread over many nodes, must not make this node create producers without end. The
    /// default matches <c>Sfu:Limits:MaxSectionsPerOffer</c>: a room with more tracks than one
    /// participant's offer may hold cannot be received whole by anyone. Over the limit, audio is
    /// kept before video, and the rest wait until tracks end.
    /// </summary>
    public int MaxRemoteTracksPerRoom { get; set; } = 1000;

    public bool Enabled => !string.IsNullOrWhiteSpace(Redis);

    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(HeartbeatSeconds);

    public TimeSpan NodeTtl => TimeSpan.FromSeconds(NodeTtlSeconds);
}
