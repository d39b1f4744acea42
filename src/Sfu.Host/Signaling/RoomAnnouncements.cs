using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Routing;
using Sfu.Host.Rooms;

namespace Sfu.Host.Signaling;

/// <summary>
/// Tells a room who came and went: ParticipantJoined to the others; Removed (with the reason)
/// to a participant the server removed, then TrackRemoved for each of its tracks and
/// ParticipantLeft to the room; and Removed to a connection whose seat another connection
/// resumed, so a stolen resume token never moves a seat silently.
/// </summary>
internal sealed class RoomAnnouncements(IHubContext<SfuHub, ISfuClient> hub) : IRoomObserver
{
    /// <summary>What the connection a seat was resumed from is told.</summary>
    public const string ResumedElsewhereReason = "Resumed elsewhere: another connection took this place with its resume token.";

    public Task ConnectionChangedAsync(RoomMember member, string? previousConnectionId)
        => previousConnectionId is not null && member.ConnectionId is not null
            ? hub.Clients.Client(previousConnectionId).Removed(ResumedElsewhereReason)
            : Task.CompletedTask;

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
