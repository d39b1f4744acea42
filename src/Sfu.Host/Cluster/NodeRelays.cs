using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using Sfu.Core;
using Sfu.Core.Dtls;
using Sfu.Core.Relay;

namespace Sfu.Host.Cluster;

/// <summary>
/// This node's relay port and its links to the other nodes. Every heartbeat interval it
/// compares the directory with this node's rooms: a live node that hosts a member of one of
/// them gets a link (DTLS-SRTP, the peer's fingerprint pinned from its directory entry); a
/// node that died, restarted under a new certificate or address, or no longer shares a room
/// loses its link. One link per pair of nodes carries all the rooms they share.
/// </summary>
internal sealed partial class NodeRelays : BackgroundService, IRelaySink
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly LocalNode _node;
    private readonly NodeDirectory _directory;
    private readonly RedisRoomRoster _roster;
    private readonly SfuEngine _engine;
    private readonly RedisLink _link;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ClusterOptions _options;
    private readonly ILogger<NodeRelays> _logger;
    private readonly RelayPort _port;
    private readonly ConcurrentDictionary<string, Peer> _peers = new(StringComparer.Ordinal);

    public NodeRelays(
        LocalNode node,
        NodeDirectory directory,
        RedisRoomRoster roster,
        SfuEngine engine,
        RedisLink link,
        IHostApplicationLifetime lifetime,
        IOptions<ClusterOptions> options,
        IOptions<SfuOptions> media,
        ILogger<NodeRelays> logger)
    {
        _node = node;
        _directory = directory;
        _roster = roster;
        _engine = engine;
        _link = link;
        _lifetime = lifetime;
        _options = options.Value;
        _logger = logger;
        _port = new RelayPort(IPAddress.Parse(media.Value.BindAddress), _options.RelayPort, engine.Certificate);
        engine.Metrics.ObserveRelay(_port.Totals);
        Announced = $"{engine.AnnouncedAddress}:{_port.LocalEndPoint.Port}";
        Fingerprint = $"{engine.Certificate.FingerprintAlgorithm} {engine.Certificate.Fingerprint}";
    }

    /// <summary>The relay address the directory names ("address:port").</summary>
    public string Announced { get; }

    /// <summary>The certificate fingerprint the other nodes pin ("sha-256 AB:CD:...").</summary>
    public string Fingerprint { get; }

    /// <summary>The peer nodes this node has a connected link to, by id.</summary>
    public IReadOnlyCollection<string> ConnectedPeers => [.. _peers.Values.Where(p => p.Link.IsConnected).Select(p => p.Link.PeerNodeId).Order(StringComparer.Ordinal)];

    /// <summary>Every link this node holds, connected or not.</summary>
    public IReadOnlyCollection<RelayLink> Links => _port.Links;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        do
        {
            try
            {
                if (_link.IsUp)
                {
                    await ReconcileAsync(stoppingToken).ConfigureAwait(false);
                }
            }
#pragma warning disable CA1031 // Redis down or slow: keep the links as they are, look again next beat.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogReconcileFailed(_logger, e);
            }
        }
        while (await NextAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (string peer in _peers.Keys)
        {
            Drop(peer, "this node stops");
        }
    }

    public override void Dispose()
    {
        _port.Dispose();
        base.Dispose();
    }

    /// <summary>Links exactly the live nodes that share a room with this one.</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<NodeRecord> live = await _directory.LiveAsync().ConfigureAwait(false);
        var sharing = new HashSet<string>(StringComparer.Ordinal);
        foreach (Sfu.Core.Routing.Room room in _engine.Rooms.Rooms)
        {
            if (!room.IsEmpty)
            {
                sharing.UnionWith((await _roster.NodesOfAsync(room.Name).ConfigureAwait(false)).Keys);
            }
        }

        string self = _node.Id;
        var wanted = new Dictionary<string, NodeRecord>(StringComparer.Ordinal);
        foreach (NodeRecord peer in live)
        {
            if (peer.Id != self && sharing.Contains(peer.Id) && peer.Relay.Length > 0)
            {
                wanted[peer.Id] = peer;
            }
        }

        foreach ((string id, Peer peer) in _peers)
        {
            if (!wanted.TryGetValue(id, out NodeRecord? record))
            {
                Drop(id, live.Any(n => n.Id == id) ? "no room shared any more" : "its directory entry expired");
            }
            else if (record.Relay != peer.Relay || record.RelayFingerprint != peer.Fingerprint || peer.Failed || peer.Link.Closed)
            {
                Drop(id, "it restarted, failed or closed");
            }
        }

        foreach (NodeRecord record in wanted.Values)
        {
            if (!_peers.ContainsKey(record.Id))
            {
                Open(self, record, cancellationToken);
            }
        }
    }

    private void Open(string self, NodeRecord record, CancellationToken cancellationToken)
    {
        if (!TryParse(record, out IPEndPoint? remote, out DtlsFingerprint? pin))
        {
            LogUnusableEntry(_logger, record.Id, record.Relay, record.RelayFingerprint);
            return;
        }

        RelayLink link = _port.Open(self, record.Id, remote, pin, this);
        var peer = new Peer(link, record.Relay, record.RelayFingerprint);
        _peers[record.Id] = peer;
        _ = ConnectAsync(peer, cancellationToken);
    }

    private async Task ConnectAsync(Peer peer, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ConnectTimeout);
        try
        {
            if (await peer.Link.ConnectAsync(bounded.Token).ConfigureAwait(false))
            {
                LogLinked(_logger, peer.Link.PeerNodeId, peer.Link.Remote, peer.Link.Role);
                return;
            }

            LogLinkFailed(_logger, peer.Link.PeerNodeId, peer.Link.Error ?? "handshake failed");
        }
        catch (OperationCanceledException)
        {
            LogLinkFailed(_logger, peer.Link.PeerNodeId, "no handshake within the timeout");
        }

        peer.Failed = true;
    }

    private void Drop(string peerId, string reason)
    {
        if (_peers.TryRemove(peerId, out Peer? peer))
        {
            peer.Link.Dispose();
            LogDropped(_logger, peerId, reason);
        }
    }

    private static bool TryParse(NodeRecord record, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? remote, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DtlsFingerprint? pin)
    {
        pin = null;
        return IPEndPoint.TryParse(record.Relay, out remote)
            && DtlsFingerprint.TryParseAttribute(record.RelayFingerprint, out pin);
    }

    private static async Task<bool> NextAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // What arrives over a link is authenticated and decrypted here; it is counted by the link
    // and not yet routed into rooms.
    void IRelaySink.OnRtp(RelayLink link, ReadOnlySpan<byte> packet)
    {
    }

    void IRelaySink.OnRtcp(RelayLink link, ReadOnlySpan<byte> compound)
    {
    }

    [LoggerMessage(EventId = 4521, Level = LogLevel.Information, Message = "Relay to node {PeerId} at {Remote} connected (DTLS {Role})")]
    private static partial void LogLinked(ILogger logger, string peerId, IPEndPoint remote, DtlsRole role);

    [LoggerMessage(EventId = 4522, Level = LogLevel.Warning, Message = "Relay to node {PeerId} failed: {Reason}; trying again next beat")]
    private static partial void LogLinkFailed(ILogger logger, string peerId, string reason);

    [LoggerMessage(EventId = 4523, Level = LogLevel.Information, Message = "Relay to node {PeerId} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string peerId, string reason);

    [LoggerMessage(EventId = 4524, Level = LogLevel.Warning, Message = "Node {PeerId} announces an unusable relay '{Relay}' / '{Fingerprint}'")]
    private static partial void LogUnusableEntry(ILogger logger, string peerId, string relay, string fingerprint);

    [LoggerMessage(EventId = 4525, Level = LogLevel.Warning, Message = "Relay bookkeeping failed; trying again next beat")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);

    private sealed class Peer(RelayLink link, string relay, string fingerprint)
    {
        public RelayLink Link => link;

        public string Relay => relay;

        public string Fingerprint => fingerprint;

        public volatile bool Failed;
    }
}
