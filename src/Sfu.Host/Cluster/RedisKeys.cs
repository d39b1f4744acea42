using StackExchange.Redis;

namespace Sfu.Host.Cluster;

/// <summary>
/// Where the cluster keeps what it shares (all under <see cref="ClusterOptions.KeyPrefix"/>):
/// <list type="bullet">
/// <item><c>nodes</c>: set of node ids that joined and were not yet found dead;</item>
/// <item><c>node:{id}</c>: hash of one node's addresses and load, expiring without a heartbeat;</item>
/// <item><c>node-rooms:{id}</c>: set of rooms that node hosts members of;</item>
/// <item><c>rooms</c>: set of rooms with members anywhere;</item>
/// <item><c>room:{name}</c>: hash "{node id}/{participant id}" → display name: room → nodes → participants;</item>
/// <item><c>node-tracks:{id}</c>: hash "{room}/{participant id}/{mid}" → the track (JSON) of every track published on that node that it relays, expiring without a heartbeat;</item>
/// <item><c>node-tracks-changed</c>: channel where a node names itself when it rewrote its <c>node-tracks</c> hash;</item>
/// <item><c>chat:{name}</c>: list of the room's recent chat lines (JSON), oldest first.</item>
/// </list>
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>Separates the node id from the participant id in a room's hash field; never in a node id.</summary>
    public const char MemberSeparator = '/';

    public RedisKey Nodes { get; } = prefix + ":nodes";

    public RedisKey Rooms { get; } = prefix + ":rooms";

    public RedisChannel SignalRChannel { get; } = RedisChannel.Literal(prefix + ":signalr");

    public RedisChannel TracksChanged { get; } = RedisChannel.Literal(prefix + ":node-tracks-changed");

    public RedisKey Node(string id) => $"{prefix}:node:{id}";

    public RedisKey NodeRooms(string id) => $"{prefix}:node-rooms:{id}";

    public RedisKey NodeTracks(string id) => $"{prefix}:node-tracks:{id}";

    public RedisKey Room(string name) => $"{prefix}:room:{name}";

    public RedisKey Chat(string name) => $"{prefix}:chat:{name}";

    public static string Member(string nodeId, string participantId) => nodeId + MemberSeparator + participantId;

    /// <summary>Splits a room hash field into its node and participant ids.</summary>
    public static (string NodeId, string ParticipantId) SplitMember(string field)
    {
        int at = field.LastIndexOf(MemberSeparator);
        return (field[..at], field[(at + 1)..]);
    }
}
