namespace Sfu.Host.Signaling;

/// <summary>Events the server sends to one participant's browser (SignalR client methods).</summary>
public interface ISfuClient
{
    Task ParticipantJoined(ParticipantInfo participant);

    Task ParticipantLeft(string participantId);

    Task TrackAdded(TrackInfo track);

    Task TrackRemoved(TrackInfo track);

    /// <summary>A server-initiated offer (new or removed subscriptions); answer with Answer(sdp).</summary>
    Task Offer(string sdp);

    /// <summary>The server ended this participant's session (media timed out, removed by an operator).</summary>
    Task Removed(string reason);
}
