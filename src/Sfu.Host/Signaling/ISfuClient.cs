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
