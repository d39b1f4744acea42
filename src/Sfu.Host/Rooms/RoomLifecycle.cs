using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Core;
using Sfu.Core.Routing;
using Sfu.Host.Meeting;
using Sfu.Host.Signaling;

namespace Sfu.Host.Rooms;

/// <summary>
/// The one way in and out of a room. Every join and every departure, whatever ended it (Leave,
/// a closed page, a dropped connection with no token or whose grace ran out, the media plane's
/// consent timeout or DTLS close, an operator's kick or room close, the same identity joining
/// again), goes through here once: the participant leaves the media plane (unless the media
/// plane ended it), its token, session, seat and allowances are let go, and the observers
/// (<see cref="IRoomObserver"/>: SignalR groups, the room's announcements, chat, active
/// speaker, lobby) hear RoomOpened, ParticipantJoined, ParticipantLeft and RoomClosed exactly
/// once each, in that order, and ConnectionChanged when a participant is held for resume or
/// resumes. Nothing else adds to or takes from those stores.
/// </summary>
public sealed partial class RoomLifecycle
{
    /// <summary>What a participant is told when the same identity joins its room from another connection.</summary>
    public const string ReplacedReason = "Replaced: the same identity joined from another connection.";

    private readonly Dictionary<string, OpenRoom> _rooms = new(StringComparer.Ordinal);
    private readonly Lock _roomsGate = new();
    private readonly SfuEngine _engine;
    private readonly MeetingSessions _sessions;
    private readonly IRoomObserver[] _observers;
    private readonly IHubContext<SfuHub, ISfuClient> _hub;
    private readonly MeetingOptions _options;
    private readonly LimitsOptions _limits;
    private readonly IdentityAllowances _allowances;
    private readonly Refusals _refusals;
    private readonly TimeProvider _time;
    private readonly ILogger<RoomLifecycle> _logger;
    private int _seats;

    public RoomLifecycle(
        SfuEngine engine,
        MeetingSessions sessions,
        IEnumerable<IRoomObserver> observers,
        IHubContext<SfuHub, ISfuClient> hub,
        IOptions<MeetingOptions> options,
        IOptions<LimitsOptions> limits,
        IdentityAllowances allowances,
        Refusals refusals,
        TimeProvider time,
        ILogger<RoomLifecycle> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(limits);
        _engine = engine;
        _sessions = sessions;
        _observers = [.. observers];
        _hub = hub;
        _options = options.Value;
        _limits = limits.Value;
        _allowances = allowances;
        _refusals = refusals;
        _time = time;
        _logger = logger;
    }

    /// <summary>Members of every open room, held ones included.</summary>
    internal int MemberCount
    {
        get
        {
            lock (_roomsGate)
            {
                return _rooms.Values.Sum(r => r.Members.Count);
            }
        }
    }

    /// <summary>Rooms open or being opened.</summary>
    internal int RoomCount
    {
        get
        {
            lock (_roomsGate)
            {
                return _rooms.Count;
            }
        }
    }

    /// <summary>Seats taken on the server (members, and joins under way).</summary>
    internal int Seats => Volatile.Read(ref _seats);

    /// <summary>The caller's Leave: the participant its connection speaks for leaves at once.</summary>
    internal Task LeaveAsync(string connectionId)
        => _sessions.FindByConnection(connectionId) is { } member
            ? DepartAsync(member, DepartureCause.Left, m => m.ConnectionId == connectionId)
            : Task.CompletedTask;

    /// <summary>Leaves at once on behalf of the page that holds the token (sent as a beacon when the page goes away).</summary>
    public async Task<bool> LeaveWithTokenAsync(string? token)
    {
        RoomMember? member = FindByResumeToken(token);
        if (member is null)
        {
            return false;
        }

        await DepartAsync(member, DepartureCause.PageClosed, applies: null).ConfigureAwait(false);
        return true;
    }

    /// <summary>The media plane ended the participant (<see cref="IParticipantEvents.RemovedAsync"/>).</summary>
    internal Task RemovedAsync(RoomMember member, string reason, IReadOnlyList<Producer> unpublished)
        => DepartAsync(member, new Departure(DepartureCause.Removed, reason, unpublished), applies: null, byMediaPlane: true);

    internal RoomMember? FindByResumeToken(string? token) => string.IsNullOrEmpty(token) ? null : _sessions.FindByToken(token);

    private Task DepartAsync(RoomMember member, DepartureCause cause, Func<RoomMember, bool>? applies)
        => DepartAsync(member, new Departure(cause, Departure.Describe(cause), []), applies, byMediaPlane: false);

    /// <summary>
    /// The one departure path. Runs its effects once per member, however many causes race
    /// (a kick while the grace runs out, a beacon after Leave). <paramref name="applies"/>, checked
    /// under the room's gate, keeps a cause that no longer holds (a Resume moved the member to
    /// another connection, or ended its grace) from ending it.
    /// </summary>
    private async Task DepartAsync(RoomMember member, Departure departure, Func<RoomMember, bool>? applies, bool byMediaPlane)
    {
        OpenRoom open = member.OpenRoom!;
        await open.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (applies is null || applies(member))
            {
                await DepartLockedAsync(open, member, departure, byMediaPlane, closeIfEmpty: true).ConfigureAwait(false);
            }
        }
        finally
        {
            open.Gate.Release();
        }
    }

    /// <summary>
    /// The departure itself, with the room's gate held. <paramref name="closeIfEmpty"/> is false
    /// when a join follows at once (the same identity replacing itself): the room stays open.
    /// </summary>
    private async Task DepartLockedAsync(OpenRoom open, RoomMember member, Departure departure, bool byMediaPlane, bool closeIfEmpty)
    {
        if (member.HasLeft)
        {
            return;
        }

        if (!byMediaPlane)
        {
            if (member.Participant.IsClosed)
            {
                // The media plane ended it first: its RemovedAsync is on the way and
                // departs it with the tracks that ended.
                return;
            }

            departure = departure with { Unpublished = _engine.Leave(member.Participant) };
        }

        member.MarkLeft();
        _sessions.Forget(member);
        _allowances.Release(member.Allowances);
        ReleaseSeat();
        open.Members.Remove(member);
        LogLeft(_logger, member.Id, member.Room, departure.Cause, departure.Reason);
        await NotifyAsync(o => o.ParticipantLeftAsync(member, departure), nameof(IRoomObserver.ParticipantLeftAsync)).ConfigureAwait(false);
        if (closeIfEmpty && open.Members.Count == 0)
        {
            await CloseAsync(open).ConfigureAwait(false);
        }
    }

    /// <summary>The last member left: the observers hear RoomClosed (if they heard it open) and the room retires.</summary>
    private async Task CloseAsync(OpenRoom open)
    {
        if (open.Announced)
        {
            await NotifyAsync(o => o.RoomClosedAsync(open.Name), nameof(IRoomObserver.RoomClosedAsync)).ConfigureAwait(false);
        }

        Retire(open);
    }

    /// <summary>Closes an empty room for good; its gate is held, so a waiting join starts a new one.</summary>
    private void Retire(OpenRoom open)
    {
        open.IsClosed = true;
        lock (_roomsGate)
        {
            if (_rooms.GetValueOrDefault(open.Name) == open)
            {
                _rooms.Remove(open.Name);
            }
        }
    }

    private void ReleaseSeat()
    {
        lock (_roomsGate)
        {
            _seats--;
        }
    }

    /// <summary>Calls every observer in turn; one that fails is logged and the others still hear.</summary>
    private async Task NotifyAsync(Func<IRoomObserver, Task> call, string what)
    {
        foreach (IRoomObserver observer in _observers)
        {
            try
            {
                await call(observer).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failed broadcast or store must not keep the others from hearing, nor undo the change.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogObserverFailed(_logger, observer.GetType().Name, what, e);
            }
        }
    }

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Participant {ParticipantId} left room {Room} ({Cause}: {Reason})")]
    private static partial void LogLeft(ILogger logger, string participantId, string room, DepartureCause cause, string reason);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "{Observer} failed in {Event}")]
    private static partial void LogObserverFailed(ILogger logger, string observer, string @event, Exception exception);
}
