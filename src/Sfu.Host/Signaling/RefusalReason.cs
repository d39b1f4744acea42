namespace Sfu.Host.Signaling;

/// <summary>Why a hub call was refused; the <c>reason</c> tag of <c>sfu.signaling.refused</c>.</summary>
public enum RefusalReason
{
    /// <summary>No valid access token for the room (Token mode), or a bad one.</summary>
    Access,

    /// <summary>The display name is malformed or shows as something else.</summary>
    Name,

    /// <summary>Someone in the room already has that name.</summary>
    NameTaken,

    /// <summary>The room is at <c>Sfu:Media:MaxParticipantsPerRoom</c>.</summary>
    RoomFull,

    /// <summary>The server is at <c>Sfu:Limits:MaxParticipants</c>.</summary>
    Participants,

    /// <summary>The server is at <c>Sfu:Limits:MaxRooms</c> and the room would be a new one.</summary>
    Rooms,

    /// <summary>Too many joins on one connection.</summary>
    JoinRate,

    /// <summary>Too many chat lines from one identity.</summary>
    ChatRate,

    /// <summary>Too many media-state changes from one identity.</summary>
    MediaStateRate,

    /// <summary>A resume token presented by another identity.</summary>
    Resume,
}
