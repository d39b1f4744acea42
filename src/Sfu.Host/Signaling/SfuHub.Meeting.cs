using Microsoft.AspNetCore.SignalR;
using Sfu.Host.Meeting;
using Sfu.Host.Rooms;

namespace Sfu.Host.Signaling;

/// <summary>The meeting features of the hub: lobby room list, chat, media state, resume.</summary>
public sealed partial class SfuHub
{
    /// <summary>
    /// Subscribes the caller (a lobby page) to RoomsChanged; returns the current list. Refused
    /// in Token mode: rooms are by invitation, and their names are not for anonymous visitors.
    /// </summary>
    public async Task<IReadOnlyList<RoomSummary>> WatchRooms()
    {
        if (!rooms.Lists)
        {
            throw new HubException("This server admits invited participants only, and lists no rooms: open your invite link.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, RoomListService.LobbyGroup).ConfigureAwait(false);
        return await rooms.CurrentAsync().ConfigureAwait(false);
    }

    /// <summary>The resume token, recent chat, media states and dominant speaker of the caller's room.</summary>
    public Task<MeetingSnapshot> MeetingState() => meeting.SnapshotAsync(RequireMember());

    /// <summary>Sends a chat line to the caller's room (at most 500 characters).</summary>
    public Task SendChat(string text) => meeting.ChatAsync(RequireMember(), text);

    /// <summary>Tells the room whether the caller's microphone, camera and screen share are on.</summary>
    public Task SetMediaState(bool mic, bool camera, bool screen)
        => meeting.SetMediaStateAsync(RequireMember(), Context.ConnectionId, mic, camera, screen);

    /// <summary>
    /// After a dropped connection: takes back the participant the token names, media and all,
    /// if the caller is that participant's identity (<see cref="Access.RoomAccess.CheckResumeAsync"/>).
    /// </summary>
    public async Task<ResumeResult> Resume(string token)
    {
        if (sessions.FindByConnection(Context.ConnectionId) is not null)
        {
            throw new HubException("resume: this connection is already in a room.");
        }

        RoomMember member = lifecycle.FindByResumeToken(token)
            ?? throw new HubException("resume: the session is unknown or has expired; join again.");
        await access.CheckResumeAsync(Context, member).ConfigureAwait(false);
        await lifecycle.ResumeAsync(member, Context).ConfigureAwait(false);
        return new ResumeResult(member.Id, member.Room, await OthersAsync(member).ConfigureAwait(false), await meeting.SnapshotAsync(member).ConfigureAwait(false));
    }
}
