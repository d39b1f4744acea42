using Microsoft.AspNetCore.SignalR;
using Sfu.Core;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;
using Sfu.Host.Meeting;

namespace Sfu.Host.Signaling;

/// <summary>
/// Signaling for one participant's connection: join/leave and the SDP offer/answer exchange
/// of its single RTCPeerConnection. Every failure reaches the caller as a HubException whose
/// message says what was wrong; the connection and the room keep working.
/// </summary>
public sealed partial class SfuHub(SfuEngine engine, ParticipantDirectory directory, MeetingCoordinator meeting, RoomListService rooms) : Hub<ISfuClient>
{
    public const string Path = "/hubs/sfu";

    public async Task<JoinResult> Join(string room, string displayName)
    {
        if (directory.Find(Context.ConnectionId) is not null)
        {
            throw new HubException("Already joined: leave the current room first.");
        }

        string? roomError = RoomName.Validate(room);
        if (roomError is not null)
        {
            throw new HubException(roomError);
        }

        string? nameError = DisplayName.Validate(displayName);
        if (nameError is not null)
        {
            throw new HubException(nameError);
        }

        var events = new HubParticipantEvents(directory, Context.ConnectionId);
        Participant participant;
        try
        {
            participant = engine.Join(room, displayName.Trim(), events);
        }
        catch (SignalingException e)
        {
            throw new HubException(e.Message);
        }

        directory.Add(Context.ConnectionId, participant);
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupName(room)).ConfigureAwait(false);

        var others = participant.Room.Participants
            .Where(p => p != participant)
            .Select(p => new ParticipantInfo(p.Id, p.DisplayName))
            .ToList();
        await Clients.OthersInGroup(GroupName(room))
            .ParticipantJoined(new ParticipantInfo(participant.Id, participant.DisplayName))
            .ConfigureAwait(false);
        await meeting.JoinedAsync(participant, Context, events).ConfigureAwait(false);
        return new JoinResult(participant.Id, room, others);
    }

    public async Task Leave()
    {
        Participant? participant = directory.Remove(Context.ConnectionId);
        if (participant is not null)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, GroupName(participant.Room.Name)).ConfigureAwait(false);
            IReadOnlyList<Producer> removed = engine.Leave(participant);
            await directory.AnnounceDepartureAsync(participant, removed).ConfigureAwait(false);
        }
    }

    /// <summary>A client-initiated offer; the answer is returned.</summary>
    public async Task<string> Offer(string sdp)
    {
        Participant participant = RequireParticipant();
        OfferOutcome outcome;
        try
        {
            outcome = participant.HandleOffer(sdp);
        }
        catch (SignalingException e)
        {
            throw new HubException(e.Message);
        }

        await directory.AnnounceTrackChangesAsync(participant, outcome).ConfigureAwait(false);
        return outcome.AnswerSdp;
    }

    /// <summary>
    /// Stops or restarts the track forwarded to the caller in its m-section <paramref name="mid"/>
    /// (its tab is hidden, it turned incoming video off); no renegotiation.
    /// </summary>
    public void SetReceiving(string mid, bool receive)
    {
        Participant participant = RequireParticipant();
        if (!participant.SetReceiving(mid, receive))
        {
            throw new HubException($"No track is forwarded to you in m-section '{mid}'.");
        }
    }

    /// <summary>The client's answer to the last server-initiated offer.</summary>
    public Task Answer(string sdp)
    {
        Participant participant = RequireParticipant();
        try
        {
            participant.HandleAnswer(sdp);
        }
        catch (SignalingException e)
        {
            throw new HubException(e.Message);
        }

        return Task.CompletedTask;
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (!meeting.HoldForResume(Context.ConnectionId))
        {
            await Leave().ConfigureAwait(false);
        }

        await base.OnDisconnectedAsync(exception).ConfigureAwait(false);
    }

    internal static string GroupName(string room) => "room:" + room;

    private Participant RequireParticipant()
        => directory.Find(Context.ConnectionId) ?? throw new HubException("Not in a room: call Join first.");
}
