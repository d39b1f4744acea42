using System.Net;
using Microsoft.Extensions.Options;
using Sfu.Core;
using Sfu.Core.Relay;
using Sfu.Core.Routing;

namespace Sfu.Host.Cluster;

/// <summary>
/// This node's relay port and its links to the other nodes. Every heartbeat interval it
/// compares the directory with this node's rooms: a live node that hosts a member of one of
/// them gets a link (DTLS-SRTP, the peer's fingerprint pinned from its directory entry); a
/// node that died, restarted under a new certificate or address, or no longer shares a room
/// loses its link (<see cref="PeerLinks"/>). One link per pair of nodes carries all the rooms they share.
/// <para>
/// Media: each track published here is listed in Redis (<see cref="TrackListing"/>,
/// <see cref="RedisTrackRegistry"/>) while its room spans nodes, a simulcast track with every
/// layer's rid and learnt SSRC, and its packets go once to each node with members in the room
/// (<see cref="Room.RelayLinks"/>). Each beat, and at once when a peer names itself on
/// <c>node-tracks-changed</c> or a link comes up (<see cref="BeatOrNudge"/>), this node reads
/// what its peers list for the rooms it hosts and keeps exactly those as remote producers here
/// (<see cref="RemoteTracks"/>), fed by <see cref="RelayReceiver"/>; a keyframe request
/// for one of their layers travels back over the link as PLI on that layer's SSRC and reaches
/// the publisher through the layer's own throttle, and a NACK for what never arrived here is
/// answered there from the publisher's buffer.
/// </para>
/// <para>
/// Interest: a layer crosses a link only while the node at the other end wants it. Every
/// <see cref="InterestTeller.Interval"/> each node works out, per remote track it follows, the layers its
/// own subscribers want (every layer up to the highest any forwarding subscription wants) and,
/// when that changed or a beat has passed, tells the track's node over the link
/// (<see cref="InterestTeller"/>, <see cref="RelayInterest"/>, RTCP APP). The track's node relays each layer to exactly the
/// links that want it (<see cref="RelayTargeting"/>, <see cref="ProducerLayer.RelayTargets"/>), and its dynacast counts those
/// layers as wanted.
/// </para>
/// </summary>
internal sealed partial class NodeRelays : BackgroundService
{
    private readonly LocalNode _node;
    private readonly NodeDirectory _directory;
    private readonly RedisRoomRoster _roster;
    private readonly SfuEngine _engine;
    private readonly RedisLink _link;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<NodeRelays> _logger;
    private readonly RedisTrackRegistry _tracks;
    private readonly RelayPort _port;
    private readonly RelayPeers _peers = new();
    private readonly PeerLinks _links;
    private readonly TrackListing _listing;
    private readonly RemoteTracks _remote;
    private readonly RelayTargeting _targeting;
    private readonly InterestTeller _interest;
    private readonly RelayReceiver _receiver;

    /// <summary>The bookkeeping's beat, brought forward when a peer's tracks changed or a link came up.</summary>
    private readonly BeatOrNudge _beat;

    public NodeRelays(
        LocalNode node,
        NodeDirectory directory,
        RedisRoomRoster roster,
        RedisTrackRegistry tracks,
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
        _tracks = tracks;
        _engine = engine;
        _link = link;
        _lifetime = lifetime;
        _logger = logger;
        ClusterOptions cluster = options.Value;
        _beat = new BeatOrNudge(cluster.HeartbeatInterval);
        _port = new RelayPort(IPAddress.Parse(media.Value.BindAddress), cluster.RelayPort, engine.Certificate, engine, e => LogRelayDatagramFault(_logger, e));
        engine.Metrics.ObserveRelay(_port.Totals);
        Announced = $"{engine.AnnouncedAddress}:{_port.LocalEndPoint.Port}";
        Fingerprint = $"{engine.Certificate.FingerprintAlgorithm} {engine.Certificate.Fingerprint}";

        _listing = new TrackListing(tracks);
        _remote = new RemoteTracks(engine, tracks, _peers, cluster.MaxRemoteTracksPerRoom, logger);
        _targeting = new RelayTargeting(_peers, _listing);
        _interest = new InterestTeller(_peers, engine.Time, cluster.HeartbeatInterval);
        _receiver = new RelayReceiver(engine, _peers, _listing, _targeting);
        _links = new PeerLinks(_port, _peers, _receiver, _remote, _beat, logger);
    }

    /// <summary>The relay address the directory names ("address:port").</summary>
    public string Announced { get; }

    /// <summary>The certificate fingerprint the other nodes pin ("sha-256 AB:CD:...").</summary>
    public string Fingerprint { get; }

    /// <summary>The peer nodes this node has a connected link to, by id.</summary>
    public IReadOnlyCollection<string> ConnectedPeers => _peers.Connected;

    /// <summary>Every link this node holds, connected or not.</summary>
    public IReadOnlyCollection<RelayLink> Links => _port.Links;

    /// <summary>Remote tracks started or ended here by bookkeeping that a peer's message or a new link brought forward, not by the beat.</summary>
    internal int FollowedOnNudge => _remote.FollowedOnNudge;

    /// <summary>Tracks the peers list that are not relayed here: their room is at <see cref="ClusterOptions.MaxRemoteTracksPerRoom"/>.</summary>
    internal int RemoteTracksOverLimit => _remote.OverLimit;

    /// <summary>Packets of tracks published here sent again over a link because the node there asked (NACK).</summary>
    public long RelayResends => _receiver.Resends;

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

        Task interest = _interest.RunAsync(stoppingToken);
        bool watching = false;
        bool? nudged = false;
        do
        {
            try
            {
                if (_link.IsUp)
                {
                    if (!watching)
                    {
                        await _tracks.WatchAsync(_node.Id, _ => _beat.Nudge()).ConfigureAwait(false);
                        watching = true;
                    }

                    await ReconcileAsync(nudged == true, stoppingToken).ConfigureAwait(false);
                }
            }
#pragma warning disable CA1031 // Redis down or slow: keep the links as they are, look again next beat.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                LogReconcileFailed(_logger, e);
            }
        }
        while ((nudged = await _beat.WaitAsync(stoppingToken).ConfigureAwait(false)) is not null);
        await interest.ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (string peer in _peers.Ids)
        {
            _links.Drop(peer, "this node stops");
        }

        try
        {
            await _tracks.ForgetAsync(_node.Id).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Redis away: the entry expires by itself.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogReconcileFailed(_logger, e);
        }
    }

    public override void Dispose()
    {
        _beat.Dispose();
        _port.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// Links exactly the live nodes that share a room with this one, lists the tracks this node
    /// relays, points each room at the links its packets go to, and keeps the remote producers
    /// in step with what the peers list. <paramref name="nudged"/>: brought forward, not the beat.
    /// </summary>
    private async Task ReconcileAsync(bool nudged, CancellationToken cancellationToken)
    {
        IReadOnlyList<NodeRecord> live = await _directory.LiveAsync().ConfigureAwait(false);
        string self = _node.Id;
        var sharing = new HashSet<string>(StringComparer.Ordinal);
        var roomNodes = new Dictionary<Room, IReadOnlyDictionary<string, int>>();
        foreach (Room room in _engine.Rooms.Rooms)
        {
            if (!room.IsEmpty)
            {
                IReadOnlyDictionary<string, int> nodes = await _roster.NodesOfAsync(room.Name).ConfigureAwait(false);
                roomNodes[room] = nodes;
                sharing.UnionWith(nodes.Keys);
            }
        }

        await _listing.PublishAsync(self, roomNodes).ConfigureAwait(false);
        _links.Keep(self, live, sharing, cancellationToken);
        _links.PointRoomsAtLinks(self, roomNodes);
        _targeting.RetargetAll();
        await _remote.FollowAsync(roomNodes, nudged).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 4527, Level = LogLevel.Error, Message = "Handling a relayed datagram faulted; the relay receive loop continues")]
    private static partial void LogRelayDatagramFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4525, Level = LogLevel.Warning, Message = "Relay bookkeeping failed; trying again next beat")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}
