using System.Text.Json;
using Sfu.Host.Meeting;
using StackExchange.Redis;

namespace Sfu.Host.Cluster;

/// <summary>
/// A room's recent chat in one Redis list shared by every node hosting the room, trimmed to
/// <see cref="ChatService.HistorySize"/> lines. <see cref="RedisRoomRoster"/> drops it with
/// the room when the room's last member anywhere leaves; a node closing its part of the
/// room keeps it for the others.
/// </summary>
internal sealed class RedisChatHistory(IConnectionMultiplexer redis, RedisKeys keys) : IChatHistory
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private IDatabase Db => redis.GetDatabase();

    public Task RoomOpenedAsync(string room) => Task.CompletedTask;

    public async Task AppendAsync(string room, ChatMessage message)
    {
        RedisKey key = keys.Chat(room);
        ITransaction append = Db.CreateTransaction();
        Task push = append.ListRightPushAsync(key, JsonSerializer.Serialize(message, Json));
        Task trim = append.ListTrimAsync(key, -ChatService.HistorySize, -1);
        await append.ExecuteAsync().ConfigureAwait(false);
        await Task.WhenAll(push, trim).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ChatMessage>> RecentAsync(string room)
    {
        RedisValue[] lines = await Db.ListRangeAsync(keys.Chat(room)).ConfigureAwait(false);
        return [.. lines.Select(l => JsonSerializer.Deserialize<ChatMessage>((string)l!, Json)!)];
    }

    public Task RoomClosedAsync(string room) => Task.CompletedTask;
}
