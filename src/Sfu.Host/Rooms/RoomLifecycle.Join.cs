using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;
using Sfu.Host.Access;
using Sfu.Host.Meeting;
using Sfu.Host.Signaling;

namespace Sfu.Host.Rooms;

/// <summary>
/// Joining: a seat on the server (<see cref="LimitsOptions.MaxParticipants"/>, and
/// <see cref="LimitsOptions.MaxRooms"/> for a room that is not open yet), a name nobody in
/// the room has, the same identity's earlier seat in the room given up, then the media plane.
/// </summary>
public sealed partial class RoomLifecycle
{
    /// <summary>
    /// Puts the caller's connection into <paramref name="room"/> as <paramref name="admission"/>'s
    /// identity, under <paramref name="displayName"/> (normalized already). Refusals are counted
    /// HubExceptions that say which limit or rule.
    /// </summary>
    internal async Task<RoomMember> JoinAsync(string room, string displayName, Admission admission, HubCallerContext context)
    {
        var member = new RoomMember(room, MeetingSessions.NewToken(), context, admission.Identity, admission.Authenticated)
        {
            NameKey = DisplayName.Key(displayName),
        };
        OpenRoom open = await EnterAsync(room).ConfigureAwait(false);
        bool seated = false;
        try
        {
            RoomMember? earlier = open.Members.FirstOrDefault(m => m.Identity == member.Identity);
            if (open.Members.Any(m => m != earlier && m.NameKey == member.NameKey))
            {
                throw _refusals.Refuse(RefusalReason.NameTaken, $"The name '{displayName}' is taken in room '{room}': pick another.");
            }

            if (earlier is not null)
            {
                LogReplaced(_logger, earlier.Id, room);
                await DepartLockedAsync(open, earlier, new Departure(DepartureCause.Removed, ReplacedReason, []), byMediaPlane: false, closeIfEmpty: false).ConfigureAwait(false);
            }

            member.OpenRoom = open;
            try
            {
                member.Bind(_engine.Join(room, displayName, new HubParticipantEvents(this, member, _hub), admission.Permissions));
            }
            catch (SignalingException e)
            {
                throw _refusals.Refuse(RefusalReason.RoomFull, e.Message);
            }

            member.Allowances = _allowances.Acquire(member.Identity);
            seated = true;
            _sessions.Add(member);
            open.Members.Add(member);
            if (!open.Announced)
            {
                open.Announced = true;
                await NotifyAsync(o => o.RoomOpenedAsync(room), nameof(IRoomObserver.RoomOpenedAsync)).ConfigureAwait(false);
            }

            await NotifyAsync(o => o.ParticipantJoinedAsync(member), nameof(IRoomObserver.ParticipantJoinedAsync)).ConfigureAwait(false);
            return member;
        }
        finally
        {
            if (!seated)
            {
                ReleaseSeat();
            }

            if (open.Members.Count == 0)
            {
                // The join was refused: the room never opened, or its one member was replaced
                // by a join that then failed.
                await CloseAsync(open).ConfigureAwait(false);
            }

            open.Gate.Release();
        }
    }

    /// <summary>
    /// Takes a seat on the server and the open room of that name, its gate held; a room closing
    /// meanwhile is never reused. The checks and the seat are one step, so racing joins cannot
    /// overfill the server.
    /// </summary>
    private async Task<OpenRoom> EnterAsync(string name)
    {
        while (true)
        {
            OpenRoom? open;
            lock (_roomsGate)
            {
                if (_limits.MaxParticipants > 0 && _seats >= _limits.MaxParticipants)
                {
                    throw _refusals.Refuse(RefusalReason.Participants, $"The server is full: it admits {_limits.MaxParticipants} participants. Try again later.");
                }

                if (!_rooms.TryGetValue(name, out open))
                {
                    if (_limits.MaxRooms > 0 && _rooms.Count >= _limits.MaxRooms)
                    {
                        throw _refusals.Refuse(RefusalReason.Rooms, $"The server has {_limits.MaxRooms} rooms open, its limit: join one of them or try again later.");
                    }

                    open = new OpenRoom(name);
                    _rooms[name] = open;
                }

                _seats++;
            }

            await open.Gate.WaitAsync().ConfigureAwait(false);
            if (!open.IsClosed)
            {
                return open;
            }

            open.Gate.Release();
            ReleaseSeat();
        }
    }

    [LoggerMessage(EventId = 4007, Level = LogLevel.Information, Message = "Participant {ParticipantId} in room {Room} is replaced by the same identity on another connection")]
    private static partial void LogReplaced(ILogger logger, string participantId, string room);
}
