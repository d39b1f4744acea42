using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Host.Access;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// The lobby's list of live rooms with their head counts. Lobby pages join the "lobby"
/// SignalR group through WatchRooms and get RoomsChanged after joins and leaves, at most
/// <see cref="LimitsOptions.LobbyUpdatesPerSecond"/> times a second: a burst of changes is
/// one list, sent when the interval since the last one has passed, so join/leave churn
/// costs each watcher a bounded number of bytes a second, not one list per change.
/// In Token mode the lobby lists nothing (<see cref="Lists"/>). The list is the
/// <see cref="IRoomRoster"/>'s: this server's rooms, or a cluster's, where every node sends
/// the whole list through the SignalR backplane after its own changes.
/// </summary>
public sealed partial class RoomListService(
    IRoomRoster roster,
    IHubContext<SfuHub, ISfuClient> hub,
    IOptions<LimitsOptions> limits,
    RoomAccess access,
    TimeProvider time,
    ILogger<RoomListService> logger) : IRoomObserver, IDisposable
{
    public const string LobbyGroup = "lobby";

    private readonly TimeSpan _interval = limits.Value.LobbyUpdateInterval;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private long _publishedAt = long.MinValue;
    private bool _scheduled;

    /// <summary>Whether anonymous lobby pages see the rooms: not in Token mode, where rooms are by invitation.</summary>
    public bool Lists => access.Mode == AccessMode.Open;

    /// <summary>Rooms with at least one participant, by name.</summary>
    public Task<IReadOnlyList<RoomSummary>> CurrentAsync() => roster.RoomsAsync();

    public Task ParticipantJoinedAsync(RoomMember member) => ChangedAsync();

    public Task ParticipantLeftAsync(RoomMember member, Departure departure) => ChangedAsync();

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>
    /// Sends the list now if the interval has passed since the last one, else once it has.
    /// Also called when the roster changed without a local event (a cluster node died).
    /// </summary>
    internal async Task ChangedAsync()
    {
        if (!Lists)
        {
            return;
        }

        lock (_gate)
        {
            if (_scheduled)
            {
                return;
            }

            long now = time.GetTimestamp();
            TimeSpan since = _publishedAt == long.MinValue ? TimeSpan.MaxValue : time.GetElapsedTime(_publishedAt, now);
            if (since >= _interval)
            {
                _publishedAt = now;
            }
            else
            {
                _scheduled = true;
                _timer ??= time.CreateTimer(_ => _ = PublishScheduledAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(_interval - since, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        await hub.Clients.Group(LobbyGroup).RoomsChanged(await CurrentAsync().ConfigureAwait(false)).ConfigureAwait(false);
    }

    private async Task PublishScheduledAsync()
    {
        lock (_gate)
        {
            _scheduled = false;
            _publishedAt = time.GetTimestamp();
        }

        try
        {
            await hub.Clients.Group(LobbyGroup).RoomsChanged(await CurrentAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A timer's broadcast: nothing awaits it, and a failure must not end the process.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogPublishFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "The lobby's room list could not be sent")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
