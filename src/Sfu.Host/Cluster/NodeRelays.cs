using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Options;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Net;
using Sfu.Core.Relay;
using Sfu.Core.Routing;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;

namespace Sfu.Host.Cluster;

/// <summary>
/// This node's relay port and its links to the other nodes. Every heartbeat interval it
/// compares the directory with this node's rooms: a live node that hosts a member of one of
/// them gets a link (DTLS-SRTP, the peer's fingerprint pinned from its directory entry); a
/// node that died, restarted under a new certificate or address, or no longer shares a room
/// loses its link. One link per pair of nodes carries all the rooms they share.
/// <para>
/// Media: each track published here is listed in Redis (<see cref="RedisTrackRegistry"/>)
/// while its room spans nodes, a simulcast track with every layer's rid and learnt SSRC, and
/// its packets go once to each node with members in the room (<see cref="Room.RelayLinks"/>).
/// Each beat, and at once when a peer names itself on <c>node-tracks-changed</c> or a link comes
/// up (<see cref="BeatOrNudge"/>), this node reads what its peers list for the rooms it hosts
/// and keeps exactly those as remote producers here, fed by <see cref="IRelaySink.OnRtp"/>; a keyframe request
/// for one of their layers travels back over the link as PLI on that layer's SSRC and reaches
/// the publisher through the layer's own throttle, and a NACK for what never arrived here is
/// answered there from the publisher's buffer.
/// </para>
/// <para>
/// Interest: a layer crosses a link only while the node at the other end wants it. Every
/// <see cref="InterestInterval"/> each node works out, per remote track it follows, the layers its
/// own subscribers want (every layer up to the highest any forwarding subscription wants) and,
/// when that changed or a beat has passed, tells the track's node over the link
/// (<see cref="RelayInterest"/>, RTCP APP). The track's node relays each layer to exactly the
/// links that want it (<see cref="ProducerLayer.RelayTargets"/>), and its dynacast counts those
/// layers as wanted.
/// </para>
/// </summary>
internal sealed partial class NodeRelays : BackgroundService, IRelaySink
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often this node looks whether its subscribers' interest in remote tracks changed.</summary>
    public static readonly TimeSpan InterestInterval = TimeSpan.FromMilliseconds(100);

    private readonly LocalNode _node;
    private readonly NodeDirectory _directory;
    private readonly RedisRoomRoster _roster;
    private readonly SfuEngine _engine;
    private readonly RedisLink _link;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ClusterOptions _options;
    private readonly ILogger<NodeRelays> _logger;
    private readonly RedisTrackRegistry _tracks;
    private readonly RelayPort _port;
    private readonly ConcurrentDictionary<string, Peer> _peers = new(StringComparer.Ordinal);

    /// <summary>The remote producers in this node's rooms, by room, node and track. Reconcile only.</summary>
    private readonly Dictionary<RemoteKey, Producer> _remote = [];

    /// <summary>Where the relay receive thread writes each subscriber's copy of a relayed packet.</summary>
    private readonly byte[] _scratch = GC.AllocateUninitializedArray<byte>(UdpMediaPort.ReceiveBufferSize + 64);

    /// <summary>The layers this node relays, by SSRC, for keyframe requests arriving from peers; swapped whole.</summary>
    private volatile Dictionary<uint, ProducerLayer> _relayed = [];

    /// <summary>Held while the peers' interest is updated and turned into the layers' relay targets.</summary>
    private readonly Lock _interestGate = new();

    /// <summary>The layers whose relay targets were last set, by SSRC (under <see cref="_interestGate"/>).</summary>
    private Dictionary<uint, ProducerLayer> _targeted = [];

    /// <summary>The SSRC this node's interest messages come from.</summary>
    private readonly uint _interestSsrc = (uint)Random.Shared.Next(2, int.MaxValue);

    private long _relayResends;

    /// <summary>The bookkeeping's beat, brought forward when a peer's tracks changed or a link came up.</summary>
    private readonly BeatOrNudge _beat;

    /// <summary>Whether the bookkeeping under way was brought forward. Reconcile only.</summary>
    private bool _nudged;

    private int _followedOnNudge;

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
        _options = options.Value;
        _logger = logger;
        _beat = new BeatOrNudge(_options.HeartbeatInterval);
        _port = new RelayPort(IPAddress.Parse(media.Value.BindAddress), _options.RelayPort, engine.Certificate, engine, e => LogRelayDatagramFault(_logger, e));
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

    /// <summary>Remote tracks started or ended here by bookkeeping that a peer's message or a new link brought forward, not by the beat.</summary>
    internal int FollowedOnNudge => Volatile.Read(ref _followedOnNudge);

    /// <summary>Packets of tracks published here sent again over a link because the node there asked (NACK).</summary>
    public long RelayResends => Interlocked.Read(ref _relayResends);

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

        Task interest = TellInterestAsync(stoppingToken);
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

                    _nudged = nudged == true;
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
        while ((nudged = await _beat.WaitAsync(stoppingToken).ConfigureAwait(false)) is not null);
        await interest.ConfigureAwait(false);
    }

    /// <summary>Every <see cref="InterestInterval"/>, tells each connected peer what this node wants of its tracks when that changed, and every beat anyway.</summary>
    private async Task TellInterestAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(InterestInterval);
        while (await NextAsync(timer, stoppingToken).ConfigureAwait(false))
        {
            foreach (Peer peer in _peers.Values)
            {
                if (peer.Link.IsConnected)
                {
                    TellInterest(peer);
                }
            }
        }
    }

    /// <summary>
    /// Which layers of the peer's tracks this node's subscribers want: for each remote track,
    /// every layer up to the highest that a forwarding subscription wants (the lower ones are
    /// what a subscriber falls back to when its bandwidth drops); none when nobody here forwards
    /// it. Sent when it changed, or when a beat passed since the last message (the link is UDP).
    /// </summary>
    private void TellInterest(Peer peer)
    {
        var wanted = new Dictionary<uint, bool>();
        foreach (Producer producer in peer.Followed)
        {
            int highest = producer.IsClosed ? -1 : producer.Demand.HighestWanted;
            foreach (ProducerLayer layer in producer.Layers)
            {
                if (layer.Stream is { } stream)
                {
                    bool wantsLayer = layer.Index <= highest;
                    wanted[stream.Ssrc] = wantsLayer;
                    if (wantsLayer && !peer.Told.Contains(stream.Ssrc))
                    {
                        producer.OnRelayResumed(layer.Index);
                    }
                }
            }
        }

        foreach (uint ssrc in peer.Told)
        {
            // A track this node no longer follows: said once, then forgotten.
            _ = wanted.TryAdd(ssrc, false);
        }

        var wants = wanted.Where(e => e.Value).Select(e => e.Key).ToHashSet();
        long now = _engine.Time.GetTimestamp();
        if (wants.SetEquals(peer.Told) && _engine.Time.GetElapsedTime(peer.ToldAt, now) < _options.HeartbeatInterval)
        {
            return;
        }

        uint[] ssrcs = [.. wanted.Keys];
        bool[] flags = [.. wanted.Values];
        byte[] message = new byte[RelayInterest.SizeOf(RelayInterest.MaxEntries)];
        bool sent = true;
        for (int start = 0; start == 0 || start < ssrcs.Length; start += RelayInterest.MaxEntries)
        {
            int count = Math.Min(RelayInterest.MaxEntries, ssrcs.Length - start);
            int length = RelayInterest.TryWrite(message, _interestSsrc, ssrcs.AsSpan(start, count), flags.AsSpan(start, count));
            sent &= length > 0 && peer.Link.SendRtcp(message.AsSpan(0, length));
        }

        if (sent)
        {
            peer.Told = wants;
            peer.ToldAt = now;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (string peer in _peers.Keys)
        {
            Drop(peer, "this node stops");
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
    /// in step with what the peers list.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
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

        await PublishTracksAsync(self, roomNodes).ConfigureAwait(false);

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

        PointRoomsAtLinks(self, roomNodes);
        RetargetAll();
        await FollowRemoteTracksAsync(roomNodes).ConfigureAwait(false);
    }

    /// <summary>Every layer relayed from here goes to the links of its room whose node wants it, and nowhere else.</summary>
    private void RetargetAll()
    {
        lock (_interestGate)
        {
            Dictionary<uint, ProducerLayer> relayed = _relayed;
            foreach ((uint ssrc, ProducerLayer layer) in _targeted)
            {
                if (!relayed.TryGetValue(ssrc, out ProducerLayer? still) || still != layer)
                {
                    layer.Owner.SetRelayTargets(layer.Index, []);
                }
            }

            foreach ((uint ssrc, ProducerLayer layer) in relayed)
            {
                Retarget(ssrc, layer);
            }

            _targeted = relayed;
        }
    }

    /// <summary>The links of the layer's room whose node said it wants <paramref name="ssrc"/>. Under <see cref="_interestGate"/>.</summary>
    private void Retarget(uint ssrc, ProducerLayer layer)
    {
        ImmutableArray<RelayLink>.Builder targets = ImmutableArray.CreateBuilder<RelayLink>();
        if (!layer.Owner.IsClosed)
        {
            foreach (RelayLink link in layer.Owner.Owner.Room.RelayLinks)
            {
                if (_peers.TryGetValue(link.PeerNodeId, out Peer? peer) && peer.Link == link && peer.Wants.Contains(ssrc))
                {
                    targets.Add(link);
                }
            }
        }

        if (!layer.RelayTargets.SequenceEqual(targets))
        {
            layer.Owner.SetRelayTargets(layer.Index, targets.ToImmutable());
        }
    }

    /// <summary>A peer said which layers of the tracks published here its subscribers want.</summary>
    private void OnInterest(RelayLink link, RelayInterest interest)
    {
        if (!_peers.TryGetValue(link.PeerNodeId, out Peer? peer) || peer.Link != link)
        {
            return;
        }

        lock (_interestGate)
        {
            Dictionary<uint, ProducerLayer> targeted = _targeted;
            for (int i = 0; i < interest.Count; i++)
            {
                (uint ssrc, bool wanted) = interest[i];
                bool changed = wanted ? peer.Wants.Add(ssrc) : peer.Wants.Remove(ssrc);
                if (changed && targeted.TryGetValue(ssrc, out ProducerLayer? layer))
                {
                    Retarget(ssrc, layer);
                }
            }
        }
    }

    /// <summary>Lists in Redis the tracks published here in rooms that span nodes; they are what the peers subscribe to.</summary>
    private async Task PublishTracksAsync(string self, Dictionary<Room, IReadOnlyDictionary<string, int>> roomNodes)
    {
        var listed = new List<RelayedTrack>();
        var relayed = new Dictionary<uint, ProducerLayer>();
        foreach ((Room room, IReadOnlyDictionary<string, int> nodes) in roomNodes)
        {
            if (!nodes.Keys.Any(id => id != self))
            {
                continue;
            }

            foreach (Participant participant in room.Participants)
            {
                foreach (Producer producer in participant.Producers)
                {
                    if (!producer.IsClosed && Listing(producer) is { } track)
                    {
                        listed.Add(new RelayedTrack(room.Name, participant.Id, track));
                        foreach (ProducerLayer layer in producer.Layers)
                        {
                            if (layer.Stream is { } stream)
                            {
                                relayed[stream.Ssrc] = layer;
                            }
                        }
                    }
                }
            }
        }

        _relayed = relayed;
        await _tracks.PublishAsync(self, listed).ConfigureAwait(false);
    }

    /// <summary>
    /// What the peers read of a track published here: its SSRC, or a simulcast track's rids with
    /// the SSRC this node learnt for each (0 until its first packet; the listing grows as layers
    /// arrive). Retransmissions are relayed restored, on each layer's own SSRC: no RTX stream.
    /// Null while no SSRC is known.
    /// </summary>
    private static PublishedTrack? Listing(Producer producer)
    {
        if (!producer.IsSimulcast)
        {
            return producer.Ssrc == 0 ? null
                : new PublishedTrack(producer.Mid, producer.Kind, producer.Ssrc, null, producer.TrackId, producer.Codec, producer.Extensions);
        }

        uint[] ssrcs = [.. producer.Layers.Select(l => l.Stream?.Ssrc ?? 0)];
        return ssrcs.All(ssrc => ssrc == 0) ? null
            : new PublishedTrack(producer.Mid, producer.Kind, 0, null, producer.TrackId, producer.Codec, producer.Extensions, [.. producer.Layers.Select(l => l.Rid!)], ssrcs);
    }

    /// <summary>Each room's packets go to the connected links of the other nodes with members in it.</summary>
    private void PointRoomsAtLinks(string self, Dictionary<Room, IReadOnlyDictionary<string, int>> roomNodes)
    {
        foreach ((Room room, IReadOnlyDictionary<string, int> nodes) in roomNodes)
        {
            ImmutableArray<RelayLink>.Builder links = ImmutableArray.CreateBuilder<RelayLink>();
            foreach (string id in nodes.Keys.Order(StringComparer.Ordinal))
            {
                if (id != self && _peers.TryGetValue(id, out Peer? peer) && peer.Link.IsConnected)
                {
                    links.Add(peer.Link);
                }
            }

            if (!room.RelayLinks.SequenceEqual(links))
            {
                room.RelayLinks = links.ToImmutable();
            }
        }
    }

    /// <summary>
    /// Keeps exactly the tracks the connected peers list for this node's rooms as remote
    /// producers: a new one is published into its room, one no longer listed (unpublished,
    /// its publisher left, its node died) ends here as any track does.
    /// </summary>
    private async Task FollowRemoteTracksAsync(Dictionary<Room, IReadOnlyDictionary<string, int>> roomNodes)
    {
        var rooms = new Dictionary<string, Room>(StringComparer.Ordinal);
        foreach (Room room in roomNodes.Keys)
        {
            rooms[room.Name] = room;
        }

        var wanted = new Dictionary<RemoteKey, RelayedTrack>();
        foreach ((string id, Peer peer) in _peers)
        {
            if (!peer.Link.IsConnected)
            {
                continue;
            }

            foreach (RelayedTrack track in await _tracks.ReadAsync(id).ConfigureAwait(false))
            {
                if (rooms.TryGetValue(track.Room, out Room? room) && roomNodes[room].ContainsKey(id) && track.Track.IsRelayable)
                {
                    wanted[new RemoteKey(room, id, track.Field)] = track;
                }
            }
        }

        foreach ((RemoteKey key, Producer producer) in _remote)
        {
            if (!wanted.TryGetValue(key, out RelayedTrack? track) || !SameStream(track.Track, producer))
            {
                EndRemote(key, producer);
            }
        }

        foreach ((RemoteKey key, RelayedTrack track) in wanted)
        {
            if (!_peers.TryGetValue(key.PeerId, out Peer? peer))
            {
                continue;
            }

            if (_remote.TryGetValue(key, out Producer? producer))
            {
                // A simulcast layer its node learnt since the last beat.
                _engine.BindRemoteLayers(producer, track.Track, peer.Link);
            }
            else
            {
                producer = _engine.PublishRemote(key.Room, key.PeerId, track.ParticipantId, track.Track, peer.Link);
                _remote[key] = producer;
                CountNudged();
                LogRemoteTrack(_logger, track.Track.Kind, track.ParticipantId, key.PeerId, key.Room.Name);
            }

            foreach (ProducerLayer layer in producer.Layers)
            {
                if (layer.Stream is { } stream)
                {
                    peer.Relayed[stream.Ssrc] = producer;
                }
            }
        }

        foreach ((string id, Peer peer) in _peers)
        {
            peer.Followed = [.. _remote.Where(e => e.Key.PeerId == id).Select(e => e.Value)];
        }
    }

    /// <summary>
    /// The listing still describes the remote producer: same kind, codec, track id and rids, and
    /// every layer bound here still on the SSRC listed for it (a layer may only become known).
    /// </summary>
    private static bool SameStream(PublishedTrack track, Producer producer)
    {
        if (track.Kind != producer.Kind || track.Codec != producer.Codec || track.TrackId != producer.TrackId
            || !(track.Rids ?? []).SequenceEqual(producer.IsSimulcast ? producer.Layers.Select(l => l.Rid!) : []))
        {
            return false;
        }

        foreach (ProducerLayer layer in producer.Layers)
        {
            if (layer.Stream is { } stream && stream.Ssrc != track.LayerSsrc(layer.Index))
            {
                return false;
            }
        }

        return true;
    }

    private void CountNudged()
    {
        if (_nudged)
        {
            Interlocked.Increment(ref _followedOnNudge);
        }
    }

    private void EndRemote(RemoteKey key, Producer producer)
    {
        _remote.Remove(key);
        CountNudged();
        if (_peers.TryGetValue(key.PeerId, out Peer? peer))
        {
            foreach (ProducerLayer layer in producer.Layers)
            {
                if (layer.Stream is { } stream)
                {
                    peer.Relayed.TryRemove(new KeyValuePair<uint, Producer>(stream.Ssrc, producer));
                }
            }
        }

        SfuEngine.UnpublishRemote(producer);
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

                // The peer's tracks can be read now rather than at the next beat.
                _beat.Nudge();
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
            foreach ((RemoteKey key, Producer producer) in _remote)
            {
                if (key.PeerId == peerId)
                {
                    _remote.Remove(key);
                    SfuEngine.UnpublishRemote(producer);
                }
            }

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

    /// <summary>
    /// A packet of a track published on the peer node (authenticated and decrypted by the link):
    /// to its remote producer by SSRC (one per simulcast layer). Packets of a track this node does not follow yet (the peer
    /// starts relaying a beat before this node reads its listing) are dropped. Relay receive thread.
    /// </summary>
    void IRelaySink.OnRtp(RelayLink link, ReadOnlySpan<byte> packet)
    {
        if (packet.Length < RtpPacket.FixedHeaderLength
            || !_peers.TryGetValue(link.PeerNodeId, out Peer? peer) || peer.Link != link
            || !peer.Relayed.TryGetValue(BinaryPrimitives.ReadUInt32BigEndian(packet[8..]), out Producer? producer)
            || !producer.OnRelayed(packet, _engine.Time.GetTimestamp(), _scratch))
        {
            _engine.Counters.Dropped(DropReason.UnknownSsrc);
        }
    }

    /// <summary>
    /// Feedback from the peer on tracks published here: PLI (RFC 4585 §6.3.1) and FIR
    /// (RFC 5104 §4.3.1) ask the publisher for a keyframe through the track's own throttle; a
    /// generic NACK (RFC 4585 §6.2.1) names packets that never reached the peer, resent from
    /// this node's buffer to that peer alone; <see cref="RelayInterest"/> says which layers the
    /// peer wants. And the sender reports of tracks published on the peer, for the remote
    /// producers they describe.
    /// </summary>
    void IRelaySink.OnRtcp(RelayLink link, ReadOnlySpan<byte> compound)
    {
        if (RtcpCompoundReader.TryCreate(compound, out RtcpCompoundReader reader) != RtcpParseResult.Ok)
        {
            _engine.Counters.Dropped(DropReason.Malformed);
            return;
        }

        Dictionary<uint, ProducerLayer> relayed = _relayed;
        foreach (RtcpPacket packet in reader)
        {
            if (packet.Header.PacketType == RtcpPacketType.SenderReport)
            {
                OnSenderReport(link, packet);
                continue;
            }

            if (packet.Header.PacketType == RtcpPacketType.ApplicationDefined)
            {
                if (RelayInterest.TryParse(packet.Data, out RelayInterest interest))
                {
                    OnInterest(link, interest);
                }

                continue;
            }

            if (packet.Header.PacketType == RtcpPacketType.TransportFeedback)
            {
                if (packet.Header.Format == GenericNack.Format && GenericNack.TryParse(packet.Data, out GenericNack nack)
                    && relayed.TryGetValue(nack.MediaSsrc, out ProducerLayer? layer)
                    && _peers.TryGetValue(link.PeerNodeId, out Peer? peer) && peer.Link == link)
                {
                    Interlocked.Add(ref _relayResends, layer.Owner.ResendOverRelay(link, nack, _scratch));
                }

                continue;
            }

            if (packet.Header.PacketType != RtcpPacketType.PayloadFeedback)
            {
                continue;
            }

            if (PictureLossIndication.TryParse(packet.Data, out PictureLossIndication pli))
            {
                RequestKeyframe(relayed, pli.MediaSsrc);
            }
            else if (FullIntraRequest.TryParse(packet.Data, out FullIntraRequest fir))
            {
                for (int i = 0; i < fir.EntryCount; i++)
                {
                    RequestKeyframe(relayed, fir.GetEntry(i).Ssrc);
                }
            }
        }
    }

    private void OnSenderReport(RelayLink link, in RtcpPacket packet)
    {
        if (SenderReport.TryParse(packet.Data, out SenderReport report)
            && _peers.TryGetValue(link.PeerNodeId, out Peer? peer) && peer.Link == link
            && peer.Relayed.TryGetValue(report.Ssrc, out Producer? producer))
        {
            producer.OnRelayedSenderReport(report.Ssrc, report.NtpTimestamp, report.RtpTimestamp, _engine.Time.GetTimestamp());
        }
    }

    /// <summary>A keyframe of the layer on <paramref name="ssrc"/>: a subscriber there switched to it or lost it.</summary>
    private static void RequestKeyframe(Dictionary<uint, ProducerLayer> relayed, uint ssrc)
    {
        if (relayed.TryGetValue(ssrc, out ProducerLayer? layer))
        {
            _ = layer.RequestKeyframe(DownTrack.KeyframeRequestInterval, KeyframeRequestReason.SubscriberRequest);
        }
    }

    [LoggerMessage(EventId = 4521, Level = LogLevel.Information, Message = "Relay to node {PeerId} at {Remote} connected (DTLS {Role})")]
    private static partial void LogLinked(ILogger logger, string peerId, IPEndPoint remote, DtlsRole role);

    [LoggerMessage(EventId = 4522, Level = LogLevel.Warning, Message = "Relay to node {PeerId} failed: {Reason}; trying again next beat")]
    private static partial void LogLinkFailed(ILogger logger, string peerId, string reason);

    [LoggerMessage(EventId = 4523, Level = LogLevel.Information, Message = "Relay to node {PeerId} dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string peerId, string reason);

    [LoggerMessage(EventId = 4524, Level = LogLevel.Warning, Message = "Node {PeerId} announces an unusable relay '{Relay}' / '{Fingerprint}'")]
    private static partial void LogUnusableEntry(ILogger logger, string peerId, string relay, string fingerprint);

    [LoggerMessage(EventId = 4526, Level = LogLevel.Information, Message = "Relaying {Kind} of {ParticipantId} from node {PeerId} into room {Room}")]
    private static partial void LogRemoteTrack(ILogger logger, MediaKind kind, string participantId, string peerId, string room);

    [LoggerMessage(EventId = 4527, Level = LogLevel.Error, Message = "Handling a relayed datagram faulted; the relay receive loop continues")]
    private static partial void LogRelayDatagramFault(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4525, Level = LogLevel.Warning, Message = "Relay bookkeeping failed; trying again next beat")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);

    private sealed class Peer(RelayLink link, string relay, string fingerprint)
    {
        public RelayLink Link => link;

        public string Relay => relay;

        public string Fingerprint => fingerprint;

        /// <summary>The remote producers of tracks published on this peer, by SSRC (each simulcast layer's).</summary>
        public ConcurrentDictionary<uint, Producer> Relayed { get; } = new();

        /// <summary>The remote producers of this peer's tracks, for the interest loop; swapped whole after each beat.</summary>
        public ImmutableArray<Producer> Followed { get; set; } = [];

        /// <summary>The layers of this peer's tracks (by SSRC) this node last said it wants (interest loop only).</summary>
        public HashSet<uint> Told { get; set; } = [];

        public long ToldAt { get; set; }

        /// <summary>The SSRCs of layers published here that this peer wants (under the interest gate).</summary>
        public HashSet<uint> Wants { get; } = [];

        public volatile bool Failed;
    }

    /// <summary>A remote track: which local room it entered, from which node, under which field of that node's listing.</summary>
    private readonly record struct RemoteKey(Room Room, string PeerId, string Field);
}
