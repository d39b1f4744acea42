using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Core;
using Sfu.Core.Routing;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// What happens around a participant's arrival and departure at meeting level (chat
/// notices, the lobby's room list, media states) and the reconnect grace: a participant
/// whose SignalR connection drops keeps its place (and its media, which does not depend on
/// signaling) for <see cref="MeetingOptions.ReconnectGraceSeconds"/>, so a Resume on a new
/// connection goes unnoticed by the others; when the grace ends it leaves like anyone else.
/// </summary>
public sealed partial class MeetingCoordinator
{
    private readonly SfuEngine _engine;
    private readonly ParticipantDirectory _directory;
    private readonly MeetingSessions _sessions;
    private readonly ChatService _chat;
    private readonly RoomListService _rooms;
    private readonly ActiveSpeakerService _speakers;
    private readonly MeetingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<MeetingCoordinator> _logger;

    public MeetingCoordinator(
        SfuEngine engine,
        ParticipantDirectory directory,
        MeetingSessions sessions,
        ChatService chat,
        RoomListService rooms,
        ActiveSpeakerService speakers,
        IOptions<MeetingOptions> options,
        TimeProvider time,
        ILogger<MeetingCoordinator> logger)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        _engine = engine;
        _directory = directory;
        _sessions = sessions;
        _chat = chat;
        _rooms = rooms;
        _speakers = speakers;
        _options = options.Value;
        _time = time;
        _logger = logger;
        directory.Departed += DepartedAsync;
    }

    private ISfuClient Room(Participant participant) => _directory.HubContext.Clients.Group(SfuHub.GroupName(participant.Room.Name));

    internal async Task JoinedAsync(Participant participant, HubCallerContext context, HubParticipantEvents events)
    {
        _sessions.Register(participant, context, events);
        ChatMessage notice = _chat.Notice(participant.Room.Name, participant.Id, participant.DisplayName, $"{participant.DisplayName} joined");
        await Room(participant).ChatReceived(notice).ConfigureAwait(false);
        await _rooms.PublishAsync().ConfigureAwait(false);
    }

    /// <summary>Everything a participant learns right after Join or Resume.</summary>
    internal MeetingSnapshot Snapshot(Participant participant)
    {
        MeetingSessions.Session session = _sessions.Find(participant.Id) ?? throw new HubException("Not in a room: call Join first.");
        session.TokenIssued = true;
        return new MeetingSnapshot(
            session.Token,
            _chat.History(participant.Room.Name),
            _sessions.MediaStatesOf(participant.Room.Participants),
            _speakers.DominantIn(participant.Room.Name));
    }

    internal async Task ChatAsync(Participant participant, string? text)
    {
        string? error = ChatService.Validate(text);
        if (error is not null)
        {
            throw new HubException(error);
        }

        if (_sessions.Find(participant.Id) is { } session)
        {
            bool allowed;
            lock (session.Gate)
            {
                session.Chat ??= new ChatAllowance(_options.ChatBurst, _options.ChatMessagesPerSecond, _time);
                allowed = session.Chat.TryTake();
            }

            if (!allowed)
            {
                throw new HubException($"Slow down: at most {_options.ChatBurst} messages at once, then {_options.ChatMessagesPerSecond:0.##} a second.");
            }
        }

        ChatMessage message = _chat.Message(participant.Room.Name, participant.Id, participant.DisplayName, text!);
        await Room(participant).ChatReceived(message).ConfigureAwait(false);
    }

    internal async Task SetMediaStateAsync(Participant participant, string connectionId, bool mic, bool camera, bool screen)
    {
        MeetingSessions.Session session = _sessions.Find(participant.Id) ?? throw new HubException("Not in a room: call Join first.");
        var state = new MediaState(participant.Id, mic, camera, screen);
        lock (session.Gate)
        {
            session.Media = state;
        }

        await _directory.HubContext.Clients.GroupExcept(SfuHub.GroupName(participant.Room.Name), connectionId)
            .MediaStateChanged(state).ConfigureAwait(false);
    }

    /// <summary>
    /// Called when a connection closes without Leave. SignalR reports a cut TCP connection
    /// and a closed tab alike (no exception), so every such close of a participant that took
    /// its resume token (MeetingState) is held for Resume and returns true; the page leaves
    /// explicitly (Leave, or the beacon of <see cref="LeaveWithTokenAsync"/>) when it closes.
    /// Participants that never asked for a token (bots, interop peers) leave at once (false).
    /// </summary>
    internal bool HoldForResume(string connectionId)
    {
        Participant? participant = _directory.Find(connectionId);
        MeetingSessions.Session? session = participant is null ? null : _sessions.Find(participant.Id);
        if (participant is null || session is null || !session.TokenIssued || _options.ReconnectGraceSeconds <= 0)
        {
            return false;
        }

        _directory.Remove(connectionId);
        var grace = new CancellationTokenSource();
        lock (session.Gate)
        {
            session.Context = null;
            session.Grace?.Cancel();
            session.Grace = grace;
        }

        LogHeld(_logger, participant.Id, _options.ReconnectGraceSeconds);
        _ = ExpireAsync(session, grace.Token);
        return true;
    }

    /// <summary>Re-attaches a held (or still attached) participant to the caller's connection.</summary>
    internal async Task<ResumeResult> ResumeAsync(string? token, HubCallerContext context, IGroupManager groups)
    {
        MeetingSessions.Session session = (string.IsNullOrEmpty(token) ? null : _sessions.FindByToken(token))
            ?? throw new HubException("resume: the session is unknown or has expired; join again.");
        Participant participant = session.Participant;
        if (participant.IsClosed)
        {
            throw new HubException("resume: the session has ended; join again.");
        }

        session.CancelGrace();
        string? previous;
        lock (session.Gate)
        {
            previous = session.Events.ConnectionId;
            session.Context = context;
            session.Events.ConnectionId = context.ConnectionId;
        }

        if (previous != context.ConnectionId)
        {
            _directory.Remove(previous);
        }

        _directory.Add(context.ConnectionId, participant);
        await groups.AddToGroupAsync(context.ConnectionId, SfuHub.GroupName(participant.Room.Name)).ConfigureAwait(false);
        LogResumed(_logger, participant.Id);

        // A server offer sent while the connection was gone never arrived: send it again.
        participant.ResendPendingOffer();
        var others = participant.Room.Participants
            .Where(p => p != participant)
            .Select(p => new ParticipantInfo(p.Id, p.DisplayName))
            .ToList();
        return new ResumeResult(participant.Id, participant.Room.Name, others, Snapshot(participant));
    }

    /// <summary>Leaves at once on behalf of the page that holds the token (sent as a beacon when the page goes away).</summary>
    public async Task<bool> LeaveWithTokenAsync(string? token)
    {
        MeetingSessions.Session? session = string.IsNullOrEmpty(token) ? null : _sessions.FindByToken(token);
        if (session is null)
        {
            return false;
        }

        Participant participant = session.Participant;
        string? connection;
        lock (session.Gate)
        {
            connection = session.Context is null ? null : session.Events.ConnectionId;
        }

        if (connection is not null)
        {
            _directory.Remove(connection);
            await _directory.HubContext.Groups.RemoveFromGroupAsync(connection, SfuHub.GroupName(participant.Room.Name)).ConfigureAwait(false);
        }

        session.CancelGrace();
        await DepartAsync(participant).ConfigureAwait(false);
        return true;
    }

    private async Task ExpireAsync(MeetingSessions.Session session, CancellationToken grace)
    {
        try
        {
            await Task.Delay(_options.ReconnectGrace, _time, grace).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Participant participant = session.Participant;
        LogExpired(_logger, participant.Id);
        try
        {
            await DepartAsync(participant).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Announcing to the others is best effort; the participant is gone either way.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogExpireFailed(_logger, participant.Id, e);
        }
    }

    /// <summary>Takes the participant out of the media plane and tells the room, once.</summary>
    private async Task DepartAsync(Participant participant)
    {
        if (participant.IsClosed)
        {
            return;
        }

        IReadOnlyList<Producer> removed = _engine.Leave(participant);
        await _directory.AnnounceDepartureAsync(participant, removed).ConfigureAwait(false);
    }

    private async Task DepartedAsync(Participant participant)
    {
        if (_sessions.Find(participant.Id) is null)
        {
            return;
        }

        _sessions.Remove(participant);
        string room = participant.Room.Name;
        if (participant.Room.IsEmpty)
        {
            _chat.Forget(room);
        }
        else
        {
            ChatMessage notice = _chat.Notice(room, participant.Id, participant.DisplayName, $"{participant.DisplayName} left");
            await Room(participant).ChatReceived(notice).ConfigureAwait(false);
        }

        await _rooms.PublishAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Participant {ParticipantId} lost its signaling connection; held for {Seconds} s")]
    private static partial void LogHeld(ILogger logger, string participantId, int seconds);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Participant {ParticipantId} resumed on a new connection")]
    private static partial void LogResumed(ILogger logger, string participantId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Participant {ParticipantId} did not come back within the grace period")]
    private static partial void LogExpired(ILogger logger, string participantId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Announcing the departure of {ParticipantId} failed")]
    private static partial void LogExpireFailed(ILogger logger, string participantId, Exception exception);
}
