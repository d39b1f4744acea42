using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Sfu.Core.Negotiation;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;
using Sfu.Host.Access;
using Sfu.Host.Meeting;
using Sfu.Host.Rooms;
using Sfu.Host.Turn;

namespace Sfu.Host.Signaling;

/// <summary>
/// Signaling for one participant's connection: join/leave and the SDP offer/answer exchange
/// of its single RTCPeerConnection. Every failure reaches the caller as a HubException whose
/// message says what was wrong; the connection and the room keep working.
/// </summary>
public sealed partial class SfuHub(
    RoomLifecycle lifecycle,
    MeetingSessions sessions,
    MeetingCoordinator meeting,
    RoomListService rooms,
    IRoomRoster roster,
    RoomAccess access,
    Refusals refusals,
    IOptions<LimitsOptions> limits,
    TurnCredentials turn,
    ConnectionPaths paths,
    TimeProvider time) : Hub<ISfuClient>
{
    public const string Path = "/hubs/sfu";

    /// <summary>
    /// The largest hub message accepted, in bytes. SignalR's default of 32 KB closes the
    /// connection of anyone in a room of about eight or more who sends an offer (a screen share,
    /// an ICE restart): the browser's offer repeats every m-section it receives. This allows the
    /// largest SDP the parser accepts (<see cref="SdpParser.MaxLength"/> characters) with room
    /// for its JSON escaping; a larger SDP gets a clear error from the parser, a larger message
    /// closes the connection.
    /// </summary>
    public const long MaximumMessageBytes = 4L * SdpParser.MaxLength;

    private const string JoinAllowanceItem = "sfu.joins";

    public async Task<JoinResult> Join(string room, string displayName)
    {
        if (sessions.FindByConnection(Context.ConnectionId) is not null)
        {
            throw new HubException("Already joined: leave the current room first.");
        }

        if (!TakeJoin())
        {
            throw refusals.Refuse(RefusalReason.JoinRate, $"Too many joins: at most {limits.Value.JoinsPerConnectionPerMinute} a minute on one connection.");
        }

        string? roomError = RoomName.Validate(room);
        if (roomError is not null)
        {
            throw new HubException(roomError);
        }

        Admission admission = await access.AdmitAsync(Context, room).ConfigureAwait(false);
        string name = DisplayName.Normalize(admission.DisplayName ?? displayName, out string? nameError)
            ?? throw refusals.Refuse(RefusalReason.Name, nameError!);
        RoomMember member = await lifecycle.JoinAsync(room, name, admission, Context).ConfigureAwait(false);
        return new JoinResult(member.Id, room, await OthersAsync(member).ConfigureAwait(false), name, admission.Permissions.CanPublish, admission.Permissions.CanSubscribe, turn.Issue(member.Id));
    }

    public Task Leave() => lifecycle.LeaveAsync(Context.ConnectionId);

    /// <summary>A client-initiated offer; the answer is returned.</summary>
    public async Task<string> Offer(string sdp)
    {
        RoomMember member = RequireMember();
        OfferOutcome outcome;
        try
        {
            outcome = member.Participant.HandleOffer(sdp);
        }
        catch (SignalingException e)
        {
            throw new HubException(e.Message);
        }
        catch (ObjectDisposedException)
        {
            throw new HubException("The session has ended: join again.");
        }

        if (outcome.PublishRefused.Count > 0)
        {
            await Clients.Caller.Warning(
                $"You may not publish in this room (your access token does not allow it): m-sections {string.Join(", ", outcome.PublishRefused)} were answered so that nothing is sent. You still receive the others.")
                .ConfigureAwait(false);
        }

        if (outcome.Rejected.Count > 0)
        {
            await Clients.Caller.SectionsRejected(outcome.Rejected).ConfigureAwait(false);
        }

        ISfuClient others = Clients.OthersInGroup(GroupName(member.Room));
        foreach (Producer producer in outcome.Unpublished)
        {
            await others.TrackRemoved(TrackInfo.Of(producer)).ConfigureAwait(false);
        }

        foreach (Producer producer in outcome.Published)
        {
            await others.TrackAdded(TrackInfo.Of(producer)).ConfigureAwait(false);
        }

        return outcome.AnswerSdp;
    }

    /// <summary>
    /// Stops or restarts the track forwarded to the caller in its m-section <paramref name="mid"/>
    /// (its tab is hidden, it turned incoming video off); no renegotiation. A section whose track
    /// has just ended is no error (the client may not have heard yet): nothing happens; only a
    /// mid the connection never had is refused.
    /// </summary>
    public void SetReceiving(string mid, bool receive)
    {
        Participant participant = RequireMember().Participant;
        if (!participant.SetReceiving(mid, receive) && !participant.HasSection(mid))
        {
            throw new HubException($"There is no m-section '{mid}' on your connection.");
        }
    }

    /// <summary>
    /// The caller renders the video it receives in m-section <paramref name="mid"/> at
    /// <paramref name="width"/> × <paramref name="height"/> device pixels (0 × 0: not shown, which
    /// pauses it). With simulcast it gets the smallest layer at least that size.
    /// </summary>
    public void SetVideoSize(string mid, int width, int height)
    {
        if (width < 0 || height < 0 || width > 16_384 || height > 16_384)
        {
            throw new HubException("A video size is 0 to 16384 pixels each way.");
        }

        if (!RequireMember().Participant.SetVideoSize(mid, width, height))
        {
            throw new HubException($"No track is forwarded to you in m-section '{mid}'.");
        }
    }

    /// <summary>Pins the simulcast layer (by rid) forwarded in m-section <paramref name="mid"/>; null goes back to the choice by size.</summary>
    public void SetVideoLayer(string mid, string? rid)
    {
        if (!RequireMember().Participant.SetVideoLayer(mid, rid))
        {
            throw new HubException($"No track with a layer '{rid}' is forwarded to you in m-section '{mid}'.");
        }
    }

    /// <summary>
    /// The caller's media goes through a TURN server, which it reaches over
    /// <paramref name="protocol"/> (udp, tcp or tls): the server sees only the relay's UDP, so
    /// the admin view and the <c>sfu.connections</c> metric learn the browser's leg from here.
    /// </summary>
    public void ReportRelayProtocol(string protocol)
    {
        if (!paths.ReportRelayLeg(RequireMember().Participant.Transport, protocol))
        {
            throw new HubException($"A relay protocol is one of {string.Join(", ", ConnectionPaths.RelayProtocols)}.");
        }
    }

    /// <summary>The client's answer to the last server-initiated offer.</summary>
    public Task Answer(string sdp)
    {
        Participant participant = RequireMember().Participant;
        try
        {
            participant.HandleAnswer(sdp);
        }
        catch (SignalingException e)
        {
            throw new HubException(e.Message);
        }
        catch (ObjectDisposedException)
        {
            throw new HubException("The session has ended: join again.");
        }

        return Task.CompletedTask;
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await lifecycle.ConnectionClosedAsync(Context.ConnectionId).ConfigureAwait(false);
        await base.OnDisconnectedAsync(exception).ConfigureAwait(false);
    }

    internal static string GroupName(string room) => "room:" + room;

    /// <summary>Who else is in the member's room, on this server and on other nodes, as Join and Resume report it.</summary>
    internal async Task<List<ParticipantInfo>> OthersAsync(RoomMember member)
        => [.. member.Participant.Room.Participants
            .Where(p => p != member.Participant)
            .Select(p => new ParticipantInfo(p.Id, p.DisplayName)),
            .. await roster.RemoteParticipantsAsync(member.Room).ConfigureAwait(false)];

    private RoomMember RequireMember()
        => sessions.FindByConnection(Context.ConnectionId) ?? throw new HubException("Not in a room: call Join first.");

    /// <summary>Takes one join from this connection's allowance (a minute's worth at once, refilled evenly).</summary>
    private bool TakeJoin()
    {
        int perMinute = limits.Value.JoinsPerConnectionPerMinute;
        if (perMinute <= 0)
        {
            return true;
        }

        if (Context.Items.TryGetValue(JoinAllowanceItem, out object? item) is false || item is not RateAllowance allowance)
        {
            allowance = new RateAllowance(perMinute, perMinute / 60.0, time);
            Context.Items[JoinAllowanceItem] = allowance;
        }

        lock (allowance)
        {
            return allowance.TryTake();
        }
    }
}
