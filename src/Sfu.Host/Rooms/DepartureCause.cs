namespace Sfu.Host.Rooms;

/// <summary>What ended a participant's stay in its room.</summary>
public enum DepartureCause
{
    /// <summary>It called Leave.</summary>
    Left,

    /// <summary>Its page went away and sent the resume token as a beacon.</summary>
    PageClosed,

    /// <summary>Its signaling connection closed and it holds no resume token (bots, interop peers).</summary>
    ConnectionClosed,

    /// <summary>Its signaling connection closed and it did not resume within the grace period.</summary>
    GraceExpired,

    /// <summary>
    /// The media plane ended it: consent expired, the peer closed DTLS, or an operator removed
    /// it or closed the room. <see cref="Departure.Reason"/> says which.
    /// </summary>
    Removed,
}
