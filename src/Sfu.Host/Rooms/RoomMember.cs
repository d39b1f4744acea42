using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Routing;
using Sfu.Host.Meeting;

namespace Sfu.Host.Rooms;

/// <summary>
/// One participant as the host knows it, from Join until it leaves: its identity (who it is,
/// whatever connection speaks for it), its place in the media plane, the SignalR connection
/// that speaks for it (none while it is held for resume), its resume token and the meeting
/// state kept for it. Only <see cref="RoomLifecycle"/> attaches a connection to it or ends it;
/// the meeting fields change under <see cref="Gate"/>.
/// </summary>
public sealed class RoomMember
{
    private Participant? _participant;
    private HubCallerContext? _context;
    private volatile bool _hasLeft;
    private CancellationTokenSource? _grace;

    internal RoomMember(string room, string token, HubCallerContext context, string identity, bool authenticated)
    {
        Room = room;
        Token = token;
        _context = context;
        Identity = identity;
        Authenticated = authenticated;
    }

    public string Room { get; }

    /// <summary>Who the participant is: its token's identity, or an anonymous one (Open mode). Unique in the room.</summary>
    public string Identity { get; }

    /// <summary>Whether a valid access token vouched for <see cref="Identity"/>.</summary>
    public bool Authenticated { get; }

    /// <summary>The participant in the media plane; set by Join before anyone else sees the member.</summary>
    public Participant Participant => _participant ?? throw new InvalidOperationException("The member has not joined yet.");

    public string Id => Participant.Id;

    /// <summary>The connection that speaks for the participant; null while it is held for resume.</summary>
    public string? ConnectionId => Volatile.Read(ref _context)?.ConnectionId;

    /// <summary>True from the moment its departure began.</summary>
    public bool HasLeft => _hasLeft;

    internal HubCallerContext? Context => Volatile.Read(ref _context);

    /// <summary>The resume token; a new one after each resume, so a used one moves nothing again.</summary>
    internal string Token { get; set; }

    /// <summary>The normalized display name's comparison key (<see cref="Signaling.DisplayName.Key"/>).</summary>
    internal string NameKey { get; set; } = string.Empty;

    /// <summary>The identity's allowances, shared with its other seats; set at Join.</summary>
    internal IdentityAllowance Allowances { get; set; } = null!;

    internal OpenRoom? OpenRoom { get; set; }

    internal Lock Gate { get; } = new();

    /// <summary>The page asked for its resume token, so it will resume after a dropped connection.</summary>
    internal bool TokenIssued { get; set; }

    internal MediaState Media { get; set; } = new(string.Empty, true, true, false);

    internal void Bind(Participant participant)
    {
        _participant = participant;
        Media = new MediaState(participant.Id, true, true, false);
    }

    internal void Attach(HubCallerContext? context) => Volatile.Write(ref _context, context);

    internal void MarkLeft() => _hasLeft = true;

    /// <summary>Starts the grace period of a participant held for resume, ending any earlier one.</summary>
    internal CancellationToken StartGrace()
    {
        var grace = new CancellationTokenSource();
        ReplaceGrace(grace);
        return grace.Token;
    }

    internal void CancelGrace() => ReplaceGrace(null);

    /// <summary>Cancels the running grace period, if any, and makes <paramref name="next"/> the running one.</summary>
    private void ReplaceGrace(CancellationTokenSource? next)
    {
        CancellationTokenSource? previous;
        lock (Gate)
        {
            previous = _grace;
            _grace = next;
        }

        previous?.Cancel();
        previous?.Dispose();
    }
}
