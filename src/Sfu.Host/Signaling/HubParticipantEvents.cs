using Sfu.Core.Routing;

namespace Sfu.Host.Signaling;

/// <summary>Carries what the media plane has to tell one participant to its SignalR connection.</summary>
internal sealed class HubParticipantEvents(ParticipantDirectory directory, string connectionId) : IParticipantEvents
{
    /// <summary>The connection that speaks for the participant now; Resume moves it to a new one.</summary>
    public string ConnectionId { get; set; } = connectionId;

    public Task OfferAsync(string sdp) => directory.HubContext.Clients.Client(ConnectionId).Offer(sdp);

    public async Task RemovedAsync(string reason, IReadOnlyList<Producer> unpublished)
    {
        string connection = ConnectionId;
        Participant? participant = directory.Remove(connection);
        await directory.HubContext.Clients.Client(connection).Removed(reason).ConfigureAwait(false);
        if (participant is not null)
        {
            await directory.HubContext.Groups.RemoveFromGroupAsync(connection, SfuHub.GroupName(participant.Room.Name)).ConfigureAwait(false);
            await directory.AnnounceDepartureAsync(participant, unpublished).ConfigureAwait(false);
        }
    }
}
