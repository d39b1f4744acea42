using Microsoft.AspNetCore.SignalR;
using Sfu.Host.Meeting;

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
    public MeetingSnapshot MeetingState() => meeting.Snapshot(RequireParticipant());

    /// <summary>Sends a chat line to the caller's room (at most 500 characters).</summary>
    public Task SendChat(string text) => meeting.ChatAsync(RequireParticipant(), text);

    /// <summary>Tells the room whether the caller's microphone, camera and screen share are on.</summary>
    public Task SetMediaState(bool mic, bool camera, bool screen)
        => meeting.SetMediaStateAsync(RequireParticipant(), Context.ConnectionId, mic, camera, screen);

    /// <summary>After a dropped connection: takes back the participant the token names, media and all.</summary>
    public Task<ResumeResult> Resume(string token)
    {
        if (directory.Find(Context.ConnectionId) is not null)
        {
            throw new HubException("resume: this connection is already in a room.");
        }

        return meeting.ResumeAsync(token, Context, Groups);
    }
}
