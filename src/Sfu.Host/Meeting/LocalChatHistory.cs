using System.Collections.Concurrent;

namespace Sfu.Host.Meeting;

/// <summary>Each room's recent lines in this process, forgotten when the room closes.</summary>
internal sealed class LocalChatHistory : IChatHistory
{
    private readonly ConcurrentDictionary<string, Lines> _rooms = new(StringComparer.Ordinal);

    public Task RoomOpenedAsync(string room)
    {
        _rooms[room] = new Lines();
        return Task.CompletedTask;
    }

    public Task AppendAsync(string room, ChatMessage message)
    {
        if (_rooms.TryGetValue(room, out Lines? lines))
        {
            lines.Add(message);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ChatMessage>> RecentAsync(string room)
        => Task.FromResult<IReadOnlyList<ChatMessage>>(_rooms.TryGetValue(room, out Lines? lines) ? lines.Snapshot() : []);

    public Task RoomClosedAsync(string room)
    {
        _rooms.TryRemove(room, out _);
        return Task.CompletedTask;
    }

    private sealed class Lines
    {
        private readonly Lock _gate = new();
        private readonly Queue<ChatMessage> _lines = new();

        public void Add(ChatMessage message)
        {
            lock (_gate)
            {
                _lines.Enqueue(message);
                while (_lines.Count > ChatService.HistorySize)
                {
                    _lines.Dequeue();
                }
            }
        }

        public ChatMessage[] Snapshot()
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }
}
