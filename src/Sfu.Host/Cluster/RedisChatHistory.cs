using System.Text.Json;
using Sfu.Host.Meeting;
using StackExchange.Redis;

namespace Sfu.Host.Cluster;

/// <summary>
/// A room's recent chat in one Redis list shared by every node hosting the room, trimmed to
/// <see cref="ChatService.HistorySize"/> lines. <see cref="RedisRoomRoster"/> drops it with
/// the room when the room's last member anywhere leaves; a node closing its part of the
/// room keeps it for the others. This node's rooms are also kept in memory, which answers
/// while Redis is unreachable (<see cref="RedisLink"/>); lines written then stay on this node.
/// </summary>
internal sealed class RedisChatHistory(IConnectionMultiplexer redis, RedisKeys keys, RedisLink link) : IChatHistory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly LocalChatHistory _local = new();

    private IDatabase Db => redis.GetDatabase();

    public Task RoomOpenedAsync(string room) => _local.RoomOpenedAsync(room);

    public async Task AppendAsync(string room, ChatMessage message)
    {
        await _local.AppendAsync(room, message).ConfigureAwait(false);
        if (!link.IsUp)
        {
            return;
        }

        try
        {
            RedisKey key = keys.Chat(room);
            ITransaction append = Db.CreateTransaction();
            Task push = append.ListRightPushAsync(key, JsonSerializer.Serialize(message, Json));
            Task trim = append.ListTrimAsync(key, -ChatService.HistorySize, -1);
            await append.ExecuteAsync().ConfigureAwait(false);
            await Task.WhenAll(push, trim).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            link.Lost(e);
        }
    }

    public async Task<IReadOnlyList<ChatMessage>> RecentAsync(string room)
    {
        if (link.IsUp)
        {
            try
            {
                RedisValue[] lines = await Db.ListRangeAsync(keys.Chat(room)).ConfigureAwait(false);
                return [.. lines.Select(l => JsonSerializer.Deserialize<ChatMessage>((string)l!, Json)!)];
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                link.Lost(e);
            }
        }

        return await _local.RecentAsync(room).ConfigureAwait(false);
    }

    public Task RoomClosedAsync(string room) => _local.RoomClosedAsync(room);
}
