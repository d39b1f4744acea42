using Sfu.Core;
using Sfu.Core.Routing;

namespace Sfu.Host.Cluster;

/// <summary>
/// The tracks published on the peer nodes, kept here as remote producers in this node's rooms
/// and fed by <see cref="RelayReceiver"/>: exactly those the connected peers list in Redis for
/// the rooms this node hosts. Beat only (and <see cref="PeerLinks.Drop"/>, on the beat or once
/// the beat has stopped).
/// </summary>
internal sealed partial class RemoteTracks(SfuEngine engine, RedisTrackRegistry tracks, RelayPeers peers, int maxPerRoom, ILogger logger)
{
    /// <summary>The remote producers in this node's rooms, by room, node and track.</summary>
    private readonly Dictionary<RemoteKey, Producer> _remote = [];

    /// <summary>The rooms whose listed remote tracks did not all fit under the limit at the last beat: logged once when they go over.</summary>
    private readonly HashSet<Room> _overLimit = [];

    private int _followedOnNudge;
    private int _overLimitTracks;

    /// <summary>Tracks the peers list that the last bookkeeping left out: their room holds the most remote tracks it may.</summary>
    public int OverLimit => Volatile.Read(ref _overLimitTracks);

    /// <summary>Remote tracks started or ended here by bookkeeping that a peer's message or a new link brought forward, not by the beat.</summary>
    public int FollowedOnNudge => Volatile.Read(ref _followedOnNudge);

    /// <summary>
    /// Keeps exactly the tracks the connected peers list for this node's rooms as remote
    /// producers: a new one is published into its room, one no longer listed (unpublished,
    /// its publisher left, its node died) ends here as any track does. <paramref name="nudged"/>:
    /// this bookkeeping was brought forward.
    /// </summary>
    public async Task FollowAsync(Dictionary<Room, IReadOnlyDictionary<string, int>> roomNodes, bool nudged)
    {
        var rooms = new Dictionary<string, Room>(StringComparer.Ordinal);
        foreach (Room room in roomNodes.Keys)
        {
            rooms[room.Name] = room;
        }

        var wanted = new Dictionary<RemoteKey, RelayedTrack>();
        foreach ((string id, RelayPeer peer) in peers)
        {
            if (!peer.Link.IsConnected)
            {
                continue;
            }

            foreach (RelayedTrack track in await tracks.ReadAsync(id).ConfigureAwait(false))
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
                End(key, producer, nudged);
            }
        }

        var perRoom = new Dictionary<Room, int>();
        foreach (RemoteKey key in _remote.Keys)
        {
            perRoom[key.Room] = perRoom.GetValueOrDefault(key.Room) + 1;
        }

        var overLimit = new Dictionary<Room, int>();

        // Audio first: over the limit, a room keeps hearing its remote members.
        foreach ((RemoteKey key, RelayedTrack track) in wanted.OrderBy(w => w.Value.Track.Kind == MediaKind.Audio ? 0 : 1))
        {
            if (!peers.TryGet(key.PeerId, out RelayPeer? peer))
            {
                continue;
            }

            if (_remote.TryGetValue(key, out Producer? producer))
            {
                // A simulcast layer its node learnt since the last beat.
                engine.BindRemoteLayers(producer, track.Track, peer.Link);
            }
            else if (maxPerRoom > 0 && perRoom.GetValueOrDefault(key.Room) >= maxPerRoom)
            {
                overLimit[key.Room] = overLimit.GetValueOrDefault(key.Room) + 1;
                continue;
            }
            else
            {
                perRoom[key.Room] = perRoom.GetValueOrDefault(key.Room) + 1;
                producer = engine.PublishRemote(key.Room, key.PeerId, track.ParticipantId, track.Track, peer.Link);
                _remote[key] = producer;
                CountNudged(nudged);
                LogRemoteTrack(logger, track.Track.Kind, track.ParticipantId, key.PeerId, key.Room.Name);
            }

            foreach (ProducerLayer layer in producer.Layers)
            {
                if (layer.Stream is { } stream)
                {
                    peer.Relayed[stream.Ssrc] = producer;
                    if (stream.RtxSsrc is uint rtx)
                    {
                        peer.Relayed[rtx] = producer;
                    }
                }
            }
        }

        foreach ((string id, RelayPeer peer) in peers)
        {
            peer.Followed = [.. _remote.Where(e => e.Key.PeerId == id).Select(e => e.Value)];
        }

        NoteOverLimit(overLimit);
    }

    /// <summary>Logs a room when it goes over the limit (not at every beat it stays there), and counts what was left out.</summary>
    private void NoteOverLimit(Dictionary<Room, int> overLimit)
    {
        foreach ((Room room, int count) in overLimit)
        {
            if (_overLimit.Add(room))
            {
                LogOverLimit(logger, room.Name, maxPerRoom, count);
            }
        }

        _overLimit.RemoveWhere(room => !overLimit.ContainsKey(room));
        Volatile.Write(ref _overLimitTracks, overLimit.Values.Sum());
    }

    /// <summary>Every track of <paramref name="peerId"/> ends here: its link is gone.</summary>
    public void EndAll(string peerId)
    {
        foreach ((RemoteKey key, Producer producer) in _remote)
        {
            if (key.PeerId == peerId)
            {
                _remote.Remove(key);
                SfuEngine.UnpublishRemote(producer);
            }
        }
    }

    /// <summary>
    /// The listing still describes the remote producer: same kind, codec, track id and rids, and
    /// every layer bound here still on the SSRCs (media and retransmission) listed for it (a
    /// layer may only become known).
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
            if (layer.Stream is { } stream && (stream.Ssrc != track.LayerSsrc(layer.Index) || (stream.RtxSsrc ?? 0) != track.LayerRtxSsrc(layer.Index)))
            {
                return false;
            }
        }

        return true;
    }

    private void CountNudged(bool nudged)
    {
        if (nudged)
        {
            Interlocked.Increment(ref _followedOnNudge);
        }
    }

    private void End(RemoteKey key, Producer producer, bool nudged)
    {
        _remote.Remove(key);
        CountNudged(nudged);
        if (peers.TryGet(key.PeerId, out RelayPeer? peer))
        {
            foreach (ProducerLayer layer in producer.Layers)
            {
                if (layer.Stream is { } stream)
                {
                    peer.Relayed.TryRemove(new KeyValuePair<uint, Producer>(stream.Ssrc, producer));
                    if (stream.RtxSsrc is uint rtx)
                    {
                        peer.Relayed.TryRemove(new KeyValuePair<uint, Producer>(rtx, producer));
                    }
                }
            }
        }

        SfuEngine.UnpublishRemote(producer);
    }

    [LoggerMessage(EventId = 4528, Level = LogLevel.Warning, Message = "Room {Room} holds the most tracks from other nodes it may ({Limit}, Sfu:Cluster:MaxRemoteTracksPerRoom); {Count} listed tracks are not relayed here until others end")]
    private static partial void LogOverLimit(ILogger logger, string room, int limit, int count);

    [LoggerMessage(EventId = 4526, Level = LogLevel.Information, Message = "Relaying {Kind} of {ParticipantId} from node {PeerId} into room {Room}")]
    private static partial void LogRemoteTrack(ILogger logger, MediaKind kind, string participantId, string peerId, string room);

    /// <summary>A remote track: which local room it entered, from which node, under which field of that node's listing.</summary>
    private readonly record struct RemoteKey(Room Room, string PeerId, string Field);
}
