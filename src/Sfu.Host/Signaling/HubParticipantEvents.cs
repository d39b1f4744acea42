using Sfu.Core.Routing;

namespace Sfu.Host.Signaling;

/// <summary>Carries what the media plane has to tell one participant to its SignalR connection.</summary>
internal sealed class HubParticipantEvents(ParticipantDirectory directory, string connectionId) : IParticipantEvents
{
    public Task OfferAsync(string sdp) => directory.HubContext.Clients.Client(connectionId).Offer(sdp);

    public async Task RemovedAsync(string reason, IReadOnlyList<Producer> unpublished)
    {
        Participant? participant = directory.Remove(connectionId);
        await directory.HubContext.Clients.Client(connectionId).Removed(reason).ConfigureAwait(false);
        if (participant is not null)
        {
            await directory.HubContext.Groups.RemoveFromGroupAsync(connectionId, SfuHub.GroupName(participant.Room.Name)).ConfigureAwait(false);
            await directory.AnnounceDepartureAsync(participant, unpublished).ConfigureAwait(false);
        }
    }
}
