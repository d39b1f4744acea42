using Sfu.Core.Routing;

namespace Sfu.Host.Rooms;

/// <summary>
/// Why a participant left and the tracks that ended with it. <see cref="Reason"/> is what the
/// participant is told when the server removed it (<see cref="DepartureCause.Removed"/>), and
/// a short description otherwise.
/// </summary>
public sealed record Departure(DepartureCause Cause, string Reason, IReadOnlyList<Producer> Unpublished)
{
    public static string Describe(DepartureCause cause) => cause switch
    {
        DepartureCause.Left => "left",
        DepartureCause.PageClosed => "its page closed",
        DepartureCause.ConnectionClosed => "its signaling connection closed",
        DepartureCause.GraceExpired => "it did not come back within the reconnect grace",
        _ => "removed by the server",
    };
}
