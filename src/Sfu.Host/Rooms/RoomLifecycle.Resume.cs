using Microsoft.AspNetCore.SignalR;

namespace Sfu.Host.Rooms;

/// <summary>
/// The reconnect grace: a participant whose SignalR connection drops keeps its place (and its
/// media, which does not depend on signaling) for <see cref="Meeting.MeetingOptions.ReconnectGraceSeconds"/>,
/// so a Resume on a new connection goes unnoticed by the others; when the grace ends it
/// leaves like anyone else, through the same departure.
/// </summary>
public sealed partial class RoomLifecycle
{
    /// <summary>
    /// A connection closed without Leave. SignalR reports a cut TCP connection and a closed tab
    /// alike (no exception), so a participant that took its resume token (MeetingState) is held
    /// for Resume; the page leaves explicitly (Leave, or the beacon of <see cref="LeaveWithTokenAsync"/>)
    /// when it closes. Participants that never asked for a token (bots, interop peers) leave at once.
    /// </summary>
    internal async Task ConnectionClosedAsync(string connectionId)
    {
        RoomMember? member = _sessions.FindByConnection(connectionId);
        if (member is null)
        {
            return;
        }

        if (!member.TokenIssued || _options.ReconnectGraceSeconds <= 0)
        {
            await DepartAsync(member, DepartureCause.ConnectionClosed, m => m.ConnectionId == connectionId).ConfigureAwait(false);
            return;
        }

        OpenRoom open = member.OpenRoom!;
        CancellationToken grace;
        await open.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (member.HasLeft || member.ConnectionId != connectionId)
            {
                return;
            }

            _sessions.Attach(member, null);
            grace = member.StartGrace();
            LogHeld(_logger, member.Id, _options.ReconnectGraceSeconds);
            await NotifyAsync(o => o.ConnectionChangedAsync(member, connectionId), nameof(IRoomObserver.ConnectionChangedAsync)).ConfigureAwait(false);
        }
        finally
        {
            open.Gate.Release();
        }

        _ = ExpireAsync(member, grace);
    }

    /// <summary>
    /// Re-attaches a held (or still attached) participant to the caller's connection, whose
    /// identity the caller checked (<see cref="Access.RoomAccess.CheckResumeAsync"/>). The
    /// connection that spoke for it until now, if any, is told so (Removed), leaves the room's
    /// group and speaks for nobody any more. The resume token is renewed: the one just used
    /// moves nothing again.
    /// </summary>
    internal async Task ResumeAsync(RoomMember member, HubCallerContext context)
    {
        OpenRoom open = member.OpenRoom!;
        await open.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (member.HasLeft || member.Participant.IsClosed)
            {
                throw new HubException("resume: the session has ended; join again.");
            }

            member.CancelGrace();
            string? previous = member.ConnectionId;
            _sessions.Attach(member, context);
            _sessions.RenewToken(member);
            LogResumed(_logger, member.Id);
            await NotifyAsync(o => o.ConnectionChangedAsync(member, previous), nameof(IRoomObserver.ConnectionChangedAsync)).ConfigureAwait(false);
        }
        finally
        {
            open.Gate.Release();
        }

        // A server offer sent while the connection was gone never arrived: send it again.
        member.Participant.ResendPendingOffer();
    }

    private async Task ExpireAsync(RoomMember member, CancellationToken grace)
    {
        try
        {
            await Task.Delay(_options.ReconnectGrace, _time, grace).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        LogExpired(_logger, member.Id);
        try
        {
            await DepartAsync(member, DepartureCause.GraceExpired, _ => !grace.IsCancellationRequested).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nothing awaits this timer; the failure is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogExpireFailed(_logger, member.Id, e);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Participant {ParticipantId} lost its signaling connection; held for {Seconds} s")]
    private static partial void LogHeld(ILogger logger, string participantId, int seconds);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Participant {ParticipantId} resumed on a new connection")]
    private static partial void LogResumed(ILogger logger, string participantId);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Participant {ParticipantId} did not come back within the grace period")]
    private static partial void LogExpired(ILogger logger, string participantId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "The departure of {ParticipantId} after its grace period failed")]
    private static partial void LogExpireFailed(ILogger logger, string participantId, Exception exception);
}
