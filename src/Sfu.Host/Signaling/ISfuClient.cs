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
}
