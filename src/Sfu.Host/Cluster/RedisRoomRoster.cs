using System.Collections.Concurrent;
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
/// This node's own members are also kept here in memory: while Redis is unreachable
/// (<see cref="RedisLink"/>) the node answers from them alone, and when Redis is back
/// <see cref="RepublishAsync"/> writes them again.
/// </summary>
internal sealed class RedisRoomRoster(IConnectionMultiplexer redis, RedisKeys keys, LocalNode node, SfuEngine engine, RedisLink link) : IRoomRoster
{
    // room → participant id → display name, of this node only.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _local = new(StringComparer.Ordinal);

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

    public Task ParticipantJoinedAsync(RoomMember member)
    {
        _local.GetOrAdd(member.Room, _ => new(StringComparer.Ordinal))[member.Id] = member.Participant.DisplayName;
        return WhileUpAsync(() => WriteAsync(member.Room, [new HashEntry(RedisKeys.Member(node.Id, member.Id), member.Participant.DisplayName)]));
    }

    public Task ParticipantLeftAsync(RoomMember member, Departure departure)
    {
        if (_local.TryGetValue(member.Room, out ConcurrentDictionary<string, string>? members))
        {
            members.TryRemove(member.Id, out _);
        }

        return WhileUpAsync(() => LeaveAsync(member.Room, RedisKeys.Member(node.Id, member.Id)));
    }

    public Task RoomClosedAsync(string room)
    {
        _local.TryRemove(room, out _);
        return WhileUpAsync(() => Db.SetRemoveAsync(keys.NodeRooms(node.Id), room));
    }

    public async Task<IReadOnlyList<RoomSummary>> RoomsAsync()
    {
        if (link.IsUp)
        {
            try
            {
                return await ClusterRoomsAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                link.Lost(e);
            }
        }

        // This node's rooms alone: all it knows while Redis is away.
        var list = new List<RoomSummary>();
        foreach ((string room, ConcurrentDictionary<string, string> members) in _local)
        {
            if (!members.IsEmpty)
            {
                list.Add(new RoomSummary(room, members.Count, engine.MaxParticipantsPerRoom));
            }
        }

        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    public async Task<IReadOnlyList<ParticipantInfo>> RemoteParticipantsAsync(string room)
    {
        if (!link.IsUp)
        {
            return [];
        }

        HashEntry[] members;
        try
        {
            members = await Db.HashGetAllAsync(keys.Room(room)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            link.Lost(e);
            return [];
        }

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

    /// <summary>Whether <paramref name="participantId"/> is a member of <paramref name="room"/> on this node now.</summary>
    public bool IsLocal(string room, string participantId)
        => _local.TryGetValue(room, out ConcurrentDictionary<string, string>? members) && members.ContainsKey(participantId);

    /// <summary>
    /// Redis is back (or new, with nothing in it): this node's members are written again, and
    /// those Redis still lists for this node but that left meanwhile are taken out, emptying
    /// their room as any leave would.
    /// </summary>
    public async Task RepublishAsync()
    {
        HashSet<string> rooms = [.. (await Db.SetMembersAsync(keys.NodeRooms(node.Id)).ConfigureAwait(false)).Select(r => (string)r!)];
        rooms.UnionWith(_local.Keys);
        foreach (string room in rooms)
        {
            Dictionary<string, string> here = _local.TryGetValue(room, out ConcurrentDictionary<string, string>? members)
                ? members.ToDictionary(m => RedisKeys.Member(node.Id, m.Key), m => m.Value, StringComparer.Ordinal)
                : [];
            foreach (RedisValue field in await Db.HashKeysAsync(keys.Room(room)).ConfigureAwait(false))
            {
                if (RedisKeys.SplitMember(field!).NodeId == node.Id && !here.ContainsKey(field!))
                {
                    await LeaveAsync(room, field!).ConfigureAwait(false);
                }
            }

            if (here.Count > 0)
            {
                await WriteAsync(room, [.. here.Select(m => new HashEntry(m.Key, m.Value))]).ConfigureAwait(false);
            }
            else
            {
                await Db.SetRemoveAsync(keys.NodeRooms(node.Id), room).ConfigureAwait(false);
            }
        }
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

    /// <summary>Records this node's <paramref name="members"/> of <paramref name="room"/> and lists the room.</summary>
    private async Task WriteAsync(string room, HashEntry[] members)
    {
        IBatch batch = Db.CreateBatch();
        Task set = batch.HashSetAsync(keys.Room(room), members);
        Task listed = batch.SetAddAsync(keys.Rooms, room);
        Task hosted = batch.SetAddAsync(keys.NodeRooms(node.Id), room);
        batch.Execute();
        await Task.WhenAll(set, listed, hosted).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<RoomSummary>> ClusterRoomsAsync()
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

    /// <summary>Writes while Redis answers; skipped while it is away (<see cref="RepublishAsync"/> catches up).</summary>
    private async Task WhileUpAsync(Func<Task> write)
    {
        if (!link.IsUp)
        {
            return;
        }

        try
        {
            await write().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            link.Lost(e);
        }
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
