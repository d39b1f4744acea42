using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Routing;
using Sfu.Host.Signaling;

namespace Sfu.Host.Meeting;

/// <summary>
/// The meeting-level state of each participant beyond the media plane: its resume token,
/// the SignalR connection that currently speaks for it, its mic/camera/screen state, and
/// the grace timer that runs while its connection is gone.
/// </summary>
public sealed class MeetingSessions
{
    private readonly ConcurrentDictionary<string, Session> _byParticipant = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Session> _byToken = new(StringComparer.Ordinal);

    /// <summary>
    /// Cuts the transport (TCP) under a participant's SignalR connection, as a network failure
    /// would; false when it has none. The client sees an error and reconnects by itself.
    /// </summary>
    public bool AbortConnection(string participantId)
    {
        if (_byParticipant.TryGetValue(participantId, out Session? session) && session.Context is { } context)
        {
            HttpContext? http = context.GetHttpContext();
            if (http is null)
            {
                context.Abort();
            }
            else
            {
                http.Abort();
            }

            return true;
        }

        return false;
    }

    /// <summary>The media states of the given participants (defaults for those never reported).</summary>
    public IReadOnlyList<MediaState> MediaStatesOf(IEnumerable<Participant> participants)
        => [.. participants.Select(p => _byParticipant.TryGetValue(p.Id, out Session? s) ? s.Media : new MediaState(p.Id, true, true, false))];

    internal Session Register(Participant participant, HubCallerContext context, HubParticipantEvents events)
    {
        string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var session = new Session(participant, token, events) { Context = context };
        _byParticipant[participant.Id] = session;
        _byToken[token] = session;
        return session;
    }

    internal Session? Find(string participantId) => _byParticipant.GetValueOrDefault(participantId);

    internal Session? FindByToken(string token) => _byToken.GetValueOrDefault(token);

    internal void Remove(Participant participant)
    {
        if (_byParticipant.TryRemove(participant.Id, out Session? session))
        {
            _byToken.TryRemove(session.Token, out _);
            session.CancelGrace();
        }
    }

    /// <summary>One participant's meeting state; fields change under <see cref="Gate"/>.</summary>
    internal sealed class Session(Participant participant, string token, HubParticipantEvents events)
    {
        public Lock Gate { get; } = new();

        public Participant Participant { get; } = participant;

        public string Token { get; } = token;

        public HubParticipantEvents Events { get; } = events;

        /// <summary>The live connection's context; null while the participant is held for resume.</summary>
        public HubCallerContext? Context { get; set; }

        /// <summary>The page asked for its resume token, so it will resume after a dropped connection.</summary>
        public bool TokenIssued { get; set; }

        public MediaState Media { get; set; } = new(participant.Id, true, true, false);

        public CancellationTokenSource? Grace { get; set; }

        /// <summary>Created with the first chat line; guarded by <see cref="Gate"/>.</summary>
        public ChatAllowance? Chat { get; set; }

        public void CancelGrace()
        {
            CancellationTokenSource? grace;
            lock (Gate)
            {
                grace = Grace;
                Grace = null;
            }

            grace?.Cancel();
            grace?.Dispose();
        }
    }
}
