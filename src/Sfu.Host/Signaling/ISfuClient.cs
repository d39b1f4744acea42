namespace Sfu.Host.Signaling;

/// <summary>Events the server sends to one participant's browser (SignalR client methods).</summary>
public interface ISfuClient
{
    Task ParticipantJoined(ParticipantInfo participant);

    Task ParticipantLeft(string participantId);

    Task TrackAdded(TrackInfo track);

    Task TrackRemoved(TrackInfo track);

    /// <summary>
    /// A server-initiated offer (new or removed subscriptions); answer with Answer(sdp).
    /// <paramref name="participantId"/> names the session it belongs to (Join's participant id,
    /// new on every Join and kept by Resume): an offer meant for a session the client has since
    /// left behind must not reach its new peer connection.
    /// </summary>
    Task Offer(string sdp, string participantId);

    /// <summary>The caller's last offer had sections the server rejected (port 0 in its answer), and why.</summary>
    Task SectionsRejected(IReadOnlyList<Sfu.Core.Negotiation.RejectedSection> sections);

    /// <summary>The server ended this participant's session (media timed out, removed by an operator).</summary>
    Task Removed(string reason);

    /// <summary>
    /// Something the client asked for was done only in part, and why (an offer to publish
    /// from a participant whose token does not allow it: the rest of the offer was answered).
    /// </summary>
    Task Warning(string message);

    /// <summary>The lobby's room list changed (sent to connections that called WatchRooms).</summary>
    Task RoomsChanged(IReadOnlyList<Meeting.RoomSummary> rooms);

    /// <summary>A chat line or a join/leave notice in the room.</summary>
    Task ChatReceived(Meeting.ChatMessage message);

    /// <summary>Another participant turned its microphone, camera or screen share on or off.</summary>
    Task MediaStateChanged(Meeting.MediaState state);

    /// <summary>The room's dominant speaker changed (null: nobody).</summary>
    Task DominantSpeakerChanged(string? participantId);

    /// <summary>
    /// Dynacast: of the simulcast video this participant publishes in m-section
    /// <paramref name="mid"/>, only the encodings <paramref name="activeRids"/> are watched by
    /// anyone; the others should be turned off (encodings[i].active = false) until named again.
    /// </summary>
    Task LayersChanged(string mid, IReadOnlyList<string> activeRids);
}
