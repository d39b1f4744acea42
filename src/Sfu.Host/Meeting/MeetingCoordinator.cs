using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// The meeting features a member uses while in a room: the snapshot it gets after Join or
/// Resume, chat lines and its media state. Arrivals and departures are
/// <see cref="RoomLifecycle"/>'s.
/// </summary>
public sealed class MeetingCoordinator(
    ChatService chat,
    ActiveSpeakerService speakers,
    MeetingSessions sessions,
    IHubContext<SfuHub, ISfuClient> hub,
    IOptions<MeetingOptions> options,
    TimeProvider time)
{
    private readonly MeetingOptions _options = options.Value;

    /// <summary>Everything a participant learns right after Join or Resume.</summary>
    internal MeetingSnapshot Snapshot(RoomMember member)
    {
        lock (member.Gate)
        {
            member.TokenIssued = true;
        }

        return new MeetingSnapshot(
            member.Token,
            chat.History(member.Room),
            sessions.MediaStatesOf(member.Participant.Room.Participants),
            speakers.DominantIn(member.Room));
    }

    internal async Task ChatAsync(RoomMember member, string? text)
    {
        string? error = ChatService.Validate(text);
        if (error is not null)
        {
            throw new HubException(error);
        }

        bool allowed;
        lock (member.Gate)
        {
            member.Chat ??= new ChatAllowance(_options.ChatBurst, _options.ChatMessagesPerSecond, time);
            allowed = member.Chat.TryTake();
        }

        if (!allowed)
        {
            throw new HubException($"Slow down: at most {_options.ChatBurst} messages at once, then {_options.ChatMessagesPerSecond:0.##} a second.");
        }

        ChatMessage message = chat.Message(member.Room, member.Id, member.Participant.DisplayName, text!);
        await hub.Clients.Group(SfuHub.GroupName(member.Room)).ChatReceived(message).ConfigureAwait(false);
    }

    internal async Task SetMediaStateAsync(RoomMember member, string connectionId, bool mic, bool camera, bool screen)
    {
        var state = new MediaState(member.Id, mic, camera, screen);
        lock (member.Gate)
        {
            member.Media = state;
        }

        await hub.Clients.GroupExcept(SfuHub.GroupName(member.Room), connectionId).MediaStateChanged(state).ConfigureAwait(false);
    }
}
