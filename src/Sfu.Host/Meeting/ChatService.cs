using System.Collections.Concurrent;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// Per-room chat: validates what people write, keeps the last <see cref="HistorySize"/>
/// lines of each live room for newcomers, and forgets a room's log when the room empties.
/// </summary>
public sealed class ChatService(TimeProvider time)
{
    public const int MaxLength = 500;
    public const int HistorySize = 50;

    private readonly ConcurrentDictionary<string, RoomLog> _logs = new(StringComparer.Ordinal);

    /// <summary>Null when the text may be sent, else the reason it may not.</summary>
    public static string? Validate(string? text)
        => VisibleText.Validate(text, "The message", MaxLength, allowLineBreaks: true);

    public ChatMessage Message(string room, string fromId, string from, string text)
        => Append(room, new ChatMessage(from, fromId, text.Trim(), time.GetUtcNow(), ChatMessage.MessageKind));

    public ChatMessage Notice(string room, string aboutId, string about, string text)
        => Append(room, new ChatMessage(about, aboutId, text, time.GetUtcNow(), ChatMessage.NoticeKind));

    /// <summary>The room's recent lines, oldest first.</summary>
    public IReadOnlyList<ChatMessage> History(string room)
        => _logs.TryGetValue(room, out RoomLog? log) ? log.Snapshot() : [];

    public void Forget(string room) => _logs.TryRemove(room, out _);

    private ChatMessage Append(string room, ChatMessage message)
    {
        _logs.GetOrAdd(room, _ => new RoomLog()).Add(message);
        return message;
    }

    private sealed class RoomLog
    {
        private readonly Lock _gate = new();
        private readonly Queue<ChatMessage> _lines = new();

        public void Add(ChatMessage message)
        {
            lock (_gate)
            {
                _lines.Enqueue(message);
                while (_lines.Count > HistorySize)
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
