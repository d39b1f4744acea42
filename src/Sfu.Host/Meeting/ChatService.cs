using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// Per-room chat: validates what people write, keeps the last <see cref="HistorySize"/>
/// lines of each open room for newcomers (in <see cref="IChatHistory"/>), posts a notice when someone joins or leaves, and
/// forgets a room's log when the room closes, so a later room of the same name starts empty.
/// Notices are rationed (<see cref="NoticeWindow"/>): per identity and per room, the rest told
/// as one "…and N others joined" line, so join/leave churn cannot flood a room or its history
/// with names of the churner's choosing.
/// </summary>
public sealed partial class ChatService(
    IChatHistory history,
    TimeProvider time,
    IHubContext<SfuHub, ISfuClient> hub,
    IOptions<LimitsOptions> limits,
    Refusals refusals,
    ILogger<ChatService> logger) : IRoomObserver
{
    public const int MaxLength = 500;
    public const int HistorySize = 50;

    private readonly ConcurrentDictionary<string, RoomLog> _logs = new(StringComparer.Ordinal);
    private readonly LimitsOptions _limits = limits.Value;

    /// <summary>Null when the text may be sent, else the reason it may not.</summary>
    public static string? Validate(string? text)
        => VisibleText.Validate(text, "The message", MaxLength, allowLineBreaks: true);

    public Task<ChatMessage> MessageAsync(string room, string fromId, string from, string text)
        => AppendAsync(room, new ChatMessage(from, fromId, text.Trim(), time.GetUtcNow(), ChatMessage.MessageKind));

    /// <summary>The room's recent lines, oldest first.</summary>
    public Task<IReadOnlyList<ChatMessage>> HistoryAsync(string room) => history.RecentAsync(room);

    public Task RoomOpenedAsync(string room)
    {
        _logs[room] = new RoomLog(new NoticeWindow(_limits.RoomNoticesPerWindow, _limits.RoomNoticeWindow, time));
        return history.RoomOpenedAsync(room);
    }

    public Task ParticipantJoinedAsync(RoomMember member) => PostNoticeAsync(member, joined: true);

    public Task ParticipantLeftAsync(RoomMember member, Departure departure) => PostNoticeAsync(member, joined: false);

    public Task RoomClosedAsync(string room)
    {
        if (_logs.TryRemove(room, out RoomLog? log))
        {
            log.Dispose();
        }

        return history.RoomClosedAsync(room);
    }

    private async Task PostNoticeAsync(RoomMember member, bool joined)
    {
        if (!_logs.TryGetValue(member.Room, out RoomLog? log))
        {
            return;
        }

        if (!log.Notices.TryName(joined, member.Allowances.TryNotice, out TimeSpan? flushDue))
        {
            refusals.NoticeCoalesced();
            if (flushDue is TimeSpan due)
            {
                log.ScheduleFlush(time, due, () => FlushAsync(member.Room, log));
            }

            return;
        }

        string name = member.Participant.DisplayName;
        ChatMessage notice = await AppendAsync(member.Room, new ChatMessage(name, member.Id, $"{name} {(joined ? "joined" : "left")}", time.GetUtcNow(), ChatMessage.NoticeKind)).ConfigureAwait(false);
        await hub.Clients.Group(SfuHub.GroupName(member.Room)).ChatReceived(notice).ConfigureAwait(false);
    }

    /// <summary>The window of a room under churn ended: one line for everyone it did not name.</summary>
    private async Task FlushAsync(string room, RoomLog log)
    {
        string? summary = log.Notices.TakeSummary();
        if (summary is null || !_logs.TryGetValue(room, out RoomLog? current) || current != log)
        {
            return;
        }

        try
        {
            ChatMessage notice = await AppendAsync(room, new ChatMessage(string.Empty, string.Empty, summary, time.GetUtcNow(), ChatMessage.NoticeKind)).ConfigureAwait(false);
            await hub.Clients.Group(SfuHub.GroupName(room)).ChatReceived(notice).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A timer's broadcast: nothing awaits it, and a failure must not end the process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogSummaryFailed(logger, room, e);
        }
    }

    /// <summary>Keeps the line while its room is open here; a line racing the room's close is only sent.</summary>
    private async Task<ChatMessage> AppendAsync(string room, ChatMessage message)
    {
        if (_logs.ContainsKey(room))
        {
            await history.AppendAsync(room, message).ConfigureAwait(false);
        }

        return message;
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "The notice summary of room {Room} could not be sent")]
    private static partial void LogSummaryFailed(ILogger logger, string room, Exception exception);

    private sealed class RoomLog(NoticeWindow notices) : IDisposable
    {
        private readonly Lock _gate = new();
        private ITimer? _flush;
        private bool _disposed;

        public NoticeWindow Notices { get; } = notices;

        /// <summary>Runs <paramref name="flush"/> once after <paramref name="due"/>, unless the room closes first.</summary>
        public void ScheduleFlush(TimeProvider time, TimeSpan due, Func<Task> flush)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _flush?.Dispose();
                _flush = time.CreateTimer(_ => _ = flush(), null, due, Timeout.InfiniteTimeSpan);
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
                _flush?.Dispose();
                _flush = null;
            }
        }
    }
}
