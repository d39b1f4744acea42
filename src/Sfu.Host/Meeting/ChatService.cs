using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// Per-room chat: validates what people write, keeps the last <see cref="HistorySize"/>
/// lines of each open room for newcomers, posts a notice when someone joins or leaves, and
/// forgets a room's log when the room closes, so a later room of the same name starts empty.
/// </summary>
public sealed class ChatService(TimeProvider time, IHubContext<SfuHub, ISfuClient> hub) : IRoomObserver
{
    public const int MaxLength = 500;
    public const int HistorySize = 50;

    private readonly ConcurrentDictionary<string, RoomLog> _logs = new(StringComparer.Ordinal);

    /// <summary>Null when the text may be sent, else the reason it may not.</summary>
    public static string? Validate(string? text)
        => VisibleText.Validate(text, "The message", MaxLength, allowLineBreaks: true);

    public ChatMessage Message(string room, string fromId, string from, string text)
        => Append(room, new ChatMessage(from, fromId, text.Trim(), time.GetUtcNow(), ChatMessage.MessageKind));

    private ChatMessage Notice(string room, string aboutId, string about, string text)
        => Append(room, new ChatMessage(about, aboutId, text, time.GetUtcNow(), ChatMessage.NoticeKind));

    /// <summary>The room's recent lines, oldest first.</summary>
    public IReadOnlyList<ChatMessage> History(string room)
        => _logs.TryGetValue(room, out RoomLog? log) ? log.Snapshot() : [];

    public Task RoomOpenedAsync(string room)
    {
        _logs[room] = new RoomLog();
        return Task.CompletedTask;
    }

    public Task ParticipantJoinedAsync(RoomMember member) => PostNoticeAsync(member, "joined");

    public Task ParticipantLeftAsync(RoomMember member, Departure departure) => PostNoticeAsync(member, "left");

    public Task RoomClosedAsync(string room)
    {
        _logs.TryRemove(room, out _);
        return Task.CompletedTask;
    }

    private Task PostNoticeAsync(RoomMember member, string what)
    {
        string name = member.Participant.DisplayName;
        ChatMessage notice = Notice(member.Room, member.Id, name, $"{name} {what}");
        return hub.Clients.Group(SfuHub.GroupName(member.Room)).ChatReceived(notice);
    }

    /// <summary>Keeps the line while its room is open; a line racing the room's close is only sent.</summary>
    private ChatMessage Append(string room, ChatMessage message)
    {
        if (_logs.TryGetValue(room, out RoomLog? log))
        {
            log.Add(message);
        }

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
