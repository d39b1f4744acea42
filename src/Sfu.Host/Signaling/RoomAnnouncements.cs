using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Routing;
using Sfu.Host.Rooms;

namespace Sfu.Host.Signaling;

/// <summary>
/// Tells a room who came and went: ParticipantJoined to the others; Removed (with the reason)
/// to a participant the server removed, then TrackRemoved for each of its tracks and
/// ParticipantLeft to the room.
/// </summary>
internal sealed class RoomAnnouncements(IHubContext<SfuHub, ISfuClient> hub) : IRoomObserver
{
    public Task ParticipantJoinedAsync(RoomMember member)
    {
        string group = SfuHub.GroupName(member.Room);
        ISfuClient others = member.ConnectionId is { } connection ? hub.Clients.GroupExcept(group, connection) : hub.Clients.Group(group);
        return others.ParticipantJoined(new ParticipantInfo(member.Id, member.Participant.DisplayName));
    }

    public async Task ParticipantLeftAsync(RoomMember member, Departure departure)
    {
        if (departure.Cause == DepartureCause.Removed && member.ConnectionId is { } connection)
        {
            await hub.Clients.Client(connection).Removed(departure.Reason).ConfigureAwait(false);
        }

        ISfuClient room = hub.Clients.Group(SfuHub.GroupName(member.Room));
        foreach (Producer producer in departure.Unpublished)
        {
            await room.TrackRemoved(TrackInfo.Of(producer)).ConfigureAwait(false);
        }

        await room.ParticipantLeft(member.Id).ConfigureAwait(false);
    }
}
