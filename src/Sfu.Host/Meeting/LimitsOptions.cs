namespace Sfu.Host.Meeting;

/// <summary>
/// What one client may make the server create or send (configuration section "Sfu:Limits").
/// Every refusal reaches the client as a HubException that says which limit, and is counted
/// in <c>sfu.signaling.refused</c>.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Sfu:Limits";

    /// <summary>Participants on the whole server (0: no limit).</summary>
    public int MaxParticipants { get; set; } = 500;

    /// <summary>Open rooms on the whole server (0: no limit); a join that would open one more is refused.</summary>
    public int MaxRooms { get; set; } = 100;

    /// <summary>Joins one SignalR connection may make in a minute (a burst of this many, then refilled evenly).</summary>
    public int JoinsPerConnectionPerMinute { get; set; } = 10;

    /// <summary>Media-state changes (SetMediaState) one identity may send at once ...</summary>
    public int MediaStateBurst { get; set; } = 10;

    /// <summary>... and per second after that.</summary>
    public double MediaStatesPerSecond { get; set; } = 5;

    /// <summary>Join and leave notices naming one identity at once ...</summary>
    public int NoticeBurst { get; set; } = 6;

    /// <summary>... and per minute after that; beyond, its comings and goings are only counted in a summary line.</summary>
    public double NoticesPerMinute { get; set; } = 6;

    /// <summary>Named join and leave notices a room gets per window ...</summary>
    public int RoomNoticesPerWindow { get; set; } = 10;

    /// <summary>... of this many seconds; the rest become one "… and N others joined" line at the window's end.</summary>
    public int RoomNoticeWindowSeconds { get; set; } = 10;

    /// <summary>Room lists pushed to lobby watchers per second, however many joins and leaves happen.</summary>
    public double LobbyUpdatesPerSecond { get; set; } = 2;

    /// <summary>Refused calls logged per connection; the rest are only counted.</summary>
    public int RefusalLogsPerConnection { get; set; } = 20;

    public TimeSpan RoomNoticeWindow => TimeSpan.FromSeconds(RoomNoticeWindowSeconds);

    public TimeSpan LobbyUpdateInterval => LobbyUpdatesPerSecond > 0 ? TimeSpan.FromSeconds(1 / LobbyUpdatesPerSecond) : TimeSpan.Zero;
}
