using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// The meeting features a member uses while in a room: the snapshot it gets after Join or
/// Resume, chat lines and its media state, both rationed per identity (not per seat, so
/// leaving and joining again buys nothing). Arrivals and departures are
/// <see cref="RoomLifecycle"/>'s.
/// </summary>
public sealed class MeetingCoordinator(
    ChatService chat,
    ActiveSpeakerService speakers,
    MeetingSessions sessions,
    IHubContext<SfuHub, ISfuClient> hub,
    IOptions<MeetingOptions> options,
    IOptions<LimitsOptions> limits,
    Refusals refusals)
{
    private readonly MeetingOptions _options = options.Value;
    private readonly LimitsOptions _limits = limits.Value;

    /// <summary>Everything a participant learns right after Join or Resume.</summary>
    internal async Task<MeetingSnapshot> SnapshotAsync(RoomMember member)
    {
        lock (member.Gate)
        {
            member.TokenIssued = true;
        }

        return new MeetingSnapshot(
            member.Token,
            await chat.HistoryAsync(member.Room).ConfigureAwait(false),
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

        if (!member.Allowances.TryChat())
        {
            throw refusals.Refuse(RefusalReason.ChatRate, $"Slow down: at most {_options.ChatBurst} messages at once, then {_options.ChatMessagesPerSecond:0.##} a second.");
        }

        ChatMessage message = await chat.MessageAsync(member.Room, member.Id, member.Participant.DisplayName, text!).ConfigureAwait(false);
        await hub.Clients.Group(SfuHub.GroupName(member.Room)).ChatReceived(message).ConfigureAwait(false);
    }

    /// <summary>Records the member's media state and tells the others, when it changed.</summary>
    internal async Task SetMediaStateAsync(RoomMember member, string connectionId, bool mic, bool camera, bool screen)
    {
        if (!member.Allowances.TryMediaState())
        {
            throw refusals.Refuse(
                RefusalReason.MediaStateRate,
                $"Slow down: at most {_limits.MediaStateBurst} media-state changes at once, then {_limits.MediaStatesPerSecond:0.##} a second.");
        }

        var state = new MediaState(member.Id, mic, camera, screen);
        lock (member.Gate)
        {
            if (member.Media == state)
            {
                return;
            }

            member.Media = state;
        }

        await hub.Clients.GroupExcept(SfuHub.GroupName(member.Room), connectionId).MediaStateChanged(state).ConfigureAwait(false);
    }
}
