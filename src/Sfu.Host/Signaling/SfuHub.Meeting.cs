using Microsoft.AspNetCore.SignalR;
using Sfu.Host.Meeting;
using Sfu.Host.Rooms;

namespace Sfu.Host.Signaling;

/// <summary>The meeting features of the hub: lobby room list, chat, media state, resume.</summary>
public sealed partial class SfuHub
{
    /// <summary>Subscribes the caller (a lobby page) to RoomsChanged; returns the current list.</summary>
    public async Task<IReadOnlyList<RoomSummary>> WatchRooms()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, RoomListService.LobbyGroup).ConfigureAwait(false);
        return rooms.Current();
    }

    /// <summary>The resume token, recent chat, media states and dominant speaker of the caller's room.</summary>
    public MeetingSnapshot MeetingState() => meeting.Snapshot(RequireMember());

    /// <summary>Sends a chat line to the caller's room (at most 500 characters).</summary>
    public Task SendChat(string text) => meeting.ChatAsync(RequireMember(), text);

    /// <summary>Tells the room whether the caller's microphone, camera and screen share are on.</summary>
    public Task SetMediaState(bool mic, bool camera, bool screen)
        => meeting.SetMediaStateAsync(RequireMember(), Context.ConnectionId, mic, camera, screen);

    /// <summary>After a dropped connection: takes back the participant the token names, media and all.</summary>
    public async Task<ResumeResult> Resume(string token)
    {
        if (sessions.FindByConnection(Context.ConnectionId) is not null)
        {
            throw new HubException("resume: this connection is already in a room.");
        }

        RoomMember member = await lifecycle.ResumeAsync(token, Context).ConfigureAwait(false);
        return new ResumeResult(member.Id, member.Room, Others(member), meeting.Snapshot(member));
    }
}
