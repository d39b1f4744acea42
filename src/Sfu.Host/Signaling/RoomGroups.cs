using Microsoft.AspNetCore.SignalR;
using Sfu.Host.Rooms;

namespace Sfu.Host.Signaling;

/// <summary>
/// Keeps each room's SignalR group equal to the connections that speak for its members, so a
/// broadcast to the room reaches them and no connection that left, was replaced by a Resume
/// or dropped. Registered first: the announcements that follow rely on it.
/// </summary>
internal sealed class RoomGroups(IHubContext<SfuHub, ISfuClient> hub) : IRoomObserver
{
    public Task ParticipantJoinedAsync(RoomMember member) => AddAsync(member);

    public async Task ConnectionChangedAsync(RoomMember member, string? previousConnectionId)
    {
        if (previousConnectionId is not null)
        {
            await hub.Groups.RemoveFromGroupAsync(previousConnectionId, SfuHub.GroupName(member.Room)).ConfigureAwait(false);
        }

        await AddAsync(member).ConfigureAwait(false);
    }

    public Task ParticipantLeftAsync(RoomMember member, Departure departure)
        => member.ConnectionId is { } connection
            ? hub.Groups.RemoveFromGroupAsync(connection, SfuHub.GroupName(member.Room))
            : Task.CompletedTask;

    private Task AddAsync(RoomMember member)
        => member.ConnectionId is { } connection
            ? hub.Groups.AddToGroupAsync(connection, SfuHub.GroupName(member.Room))
            : Task.CompletedTask;
}
