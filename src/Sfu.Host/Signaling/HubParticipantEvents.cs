using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Routing;
using Sfu.Host.Rooms;

namespace Sfu.Host.Signaling;

/// <summary>Carries what the media plane has to tell one participant: offers to its connection, its end to the lifecycle.</summary>
internal sealed class HubParticipantEvents(RoomLifecycle lifecycle, RoomMember member, IHubContext<SfuHub, ISfuClient> hub) : IParticipantEvents
{
    /// <summary>
    /// Goes to the connection that speaks for the participant now. While it is held there is
    /// none: Resume re-sends the offer that is still waiting for its answer.
    /// </summary>
    public Task OfferAsync(string sdp)
        => member.ConnectionId is { } connection ? hub.Clients.Client(connection).Offer(sdp, member.Participant.Id) : Task.CompletedTask;

    public Task LayersChangedAsync(string mid, IReadOnlyList<string> activeRids)
        => member.ConnectionId is { } connection ? hub.Clients.Client(connection).LayersChanged(mid, activeRids) : Task.CompletedTask;

    public Task RemovedAsync(string reason, IReadOnlyList<Producer> unpublished) => lifecycle.RemovedAsync(member, reason, unpublished);
}
