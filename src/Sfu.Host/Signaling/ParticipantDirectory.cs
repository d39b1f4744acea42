using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Routing;
using Sfu.Core;
using Sfu.Core.Sessions;

namespace Sfu.Host.Signaling;

/// <summary>
/// Which SignalR connection speaks for which participant, and the room-wide announcements
/// that follow a change (joined, left, tracks added or removed).
/// </summary>
public sealed class ParticipantDirectory(IHubContext<SfuHub, ISfuClient> hubContext)
{
    private readonly ConcurrentDictionary<string, Participant> _byConnection = new(StringComparer.Ordinal);

    public IHubContext<SfuHub, ISfuClient> HubContext { get; } = hubContext;

    /// <summary>Runs after every departure has been announced to the room, whatever its cause.</summary>
    public event Func<Participant, Task>? Departed;

    public void Add(string connectionId, Participant participant) => _byConnection[connectionId] = participant;

    public Participant? Find(string connectionId) => _byConnection.GetValueOrDefault(connectionId);

    public Participant? Remove(string connectionId) => _byConnection.TryRemove(connectionId, out Participant? p) ? p : null;

    public string? ConnectionOf(Participant participant)
    {
        foreach (KeyValuePair<string, Participant> pair in _byConnection)
        {
            if (pair.Value == participant)
            {
                return pair.Key;
            }
        }

        return null;
    }

    /// <summary>Tells the rest of the room that a participant and its tracks are gone.</summary>
    public async Task AnnounceDepartureAsync(Participant participant, IReadOnlyList<Producer> removed)
    {
        ISfuClient group = HubContext.Clients.Group(SfuHub.GroupName(participant.Room.Name));
        foreach (Producer producer in removed)
        {
            await group.TrackRemoved(ToInfo(producer)).ConfigureAwait(false);
        }

        await group.ParticipantLeft(participant.Id).ConfigureAwait(false);
        if (Departed is { } departed)
        {
            await departed(participant).ConfigureAwait(false);
        }
    }

    public async Task AnnounceTrackChangesAsync(Participant participant, OfferOutcome outcome)
    {
        string? connection = ConnectionOf(participant);
        ISfuClient others = connection is null
            ? HubContext.Clients.Group(SfuHub.GroupName(participant.Room.Name))
            : HubContext.Clients.GroupExcept(SfuHub.GroupName(participant.Room.Name), connection);
        foreach (Producer producer in outcome.Unpublished)
        {
            await others.TrackRemoved(ToInfo(producer)).ConfigureAwait(false);
        }

        foreach (Producer producer in outcome.Published)
        {
            await others.TrackAdded(ToInfo(producer)).ConfigureAwait(false);
        }
    }

    public static TrackInfo ToInfo(Producer producer)
        => new(producer.Owner.Id, producer.TrackId, producer.StreamId, producer.Kind == MediaKind.Audio ? "audio" : "video");
}
