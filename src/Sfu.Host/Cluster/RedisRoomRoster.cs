using Sfu.Core;
using Sfu.Host.Meeting;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;
using StackExchange.Redis;

namespace Sfu.Host.Cluster;

/// <summary>
/// Room membership across the cluster (room → nodes → participants, <see cref="RedisKeys"/>):
/// each node records its own members as the lifecycle reports them, and anyone reads the
/// whole. The last member of a room to leave, wherever it was, takes the room and its chat
/// with it, in one script, so two nodes emptying a room at once cannot leave half of it.
/// </summary>
internal sealed class RedisRoomRoster(IConnectionMultiplexer redis, RedisKeys keys, LocalNode node, SfuEngine engine) : IRoomRoster
{
    // KEYS: room hash, room set, chat list. ARGV: member field, room name.
    // Returns 1 when the room emptied and was dropped.
    private static readonly LuaScript LeaveScript = LuaScript.Prepare(
        """
        redis.call('HDEL', @room, @member)
        if redis.call('HLEN', @room) == 0 then
          redis.call('SREM', @rooms, @name)
          redis.call('DEL', @room, @chat)
          return 1
        end
        return 0
        """);

    private IDatabase Db => redis.GetDatabase();

    public async Task ParticipantJoinedAsync(RoomMember member)
    {
        IBatch batch = Db.CreateBatch();
        Task set = batch.HashSetAsync(keys.Room(member.Room), RedisKeys.Member(node.Id, member.Id), member.Participant.DisplayName);
        Task listed = batch.SetAddAsync(keys.Rooms, member.Room);
        Task hosted = batch.SetAddAsync(keys.NodeRooms(node.Id), member.Room);
        batch.Execute();
        await Task.WhenAll(set, listed, hosted).ConfigureAwait(false);
    }

    public Task ParticipantLeftAsync(RoomMember member, Departure departure) => LeaveAsync(member.Room, RedisKeys.Member(node.Id, member.Id));

    public Task RoomClosedAsync(string room) => Db.SetRemoveAsync(keys.NodeRooms(node.Id), room);

    public async Task<IReadOnlyList<RoomSummary>> RoomsAsync()
    {
        RedisValue[] names = await Db.SetMembersAsync(keys.Rooms).ConfigureAwait(false);
        IBatch batch = Db.CreateBatch();
        Task<long>[] counts = [.. names.Select(n => batch.HashLengthAsync(keys.Room(n!)))];
        batch.Execute();
        await Task.WhenAll(counts).ConfigureAwait(false);
        var list = new List<RoomSummary>(names.Length);
        for (int i = 0; i < names.Length; i++)
        {
            if (counts[i].Result > 0)
            {
                list.Add(new RoomSummary(names[i]!, (int)counts[i].Result, engine.MaxParticipantsPerRoom));
            }
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    public async Task<IReadOnlyList<ParticipantInfo>> RemoteParticipantsAsync(string room)
    {
        HashEntry[] members = await Db.HashGetAllAsync(keys.Room(room)).ConfigureAwait(false);
        var remote = new List<ParticipantInfo>();
        foreach (HashEntry entry in members)
        {
            (string nodeId, string participantId) = RedisKeys.SplitMember(entry.Name!);
            if (nodeId != node.Id)
            {
                remote.Add(new ParticipantInfo(participantId, entry.Value!));
            }
        }

        return remote;
    }

    /// <summary>How many members of <paramref name="room"/> each node hosts.</summary>
    public async Task<IReadOnlyDictionary<string, int>> NodesOfAsync(string room)
    {
        RedisValue[] fields = await Db.HashKeysAsync(keys.Room(room)).ConfigureAwait(false);
        return fields.GroupBy(f => RedisKeys.SplitMember(f!).NodeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    /// <summary>
    /// Takes every member a node hosted out of the rooms (it died, or it starts again under
    /// the same id and what it recorded before is stale); returns them by room.
    /// </summary>
    public async Task<IReadOnlyList<(string Room, string ParticipantId)>> ForgetNodeAsync(string nodeId)
    {
        var gone = new List<(string, string)>();
        RedisKey hostedKey = keys.NodeRooms(nodeId);
        foreach (RedisValue value in await Db.SetMembersAsync(hostedKey).ConfigureAwait(false))
        {
            string room = value!;
            foreach (RedisValue field in await Db.HashKeysAsync(keys.Room(room)).ConfigureAwait(false))
            {
                (string owner, string participantId) = RedisKeys.SplitMember(field!);
                if (owner == nodeId)
                {
                    await LeaveAsync(room, field!).ConfigureAwait(false);
                    gone.Add((room, participantId));
                }
            }
        }

        await Db.KeyDeleteAsync(hostedKey).ConfigureAwait(false);
        return gone;
    }

    private Task<RedisResult> LeaveAsync(string room, string member)
        => Db.ScriptEvaluateAsync(LeaveScript, new
        {
            room = keys.Room(room),
            rooms = keys.Rooms,
            chat = keys.Chat(room),
            member = (RedisValue)member,
            name = (RedisValue)room,
        });
}
