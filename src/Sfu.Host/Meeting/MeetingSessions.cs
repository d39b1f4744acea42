using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Routing;
using Sfu.Host.Rooms;

namespace Sfu.Host.Meeting;

/// <summary>
/// Finds the members of every room by participant id, by resume token and by the SignalR
/// connection that speaks for them. Only <see cref="RoomLifecycle"/> changes it, so an entry
/// lives exactly as long as the member it names.
/// </summary>
public sealed class MeetingSessions
{
    private readonly ConcurrentDictionary<string, RoomMember> _byParticipant = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RoomMember> _byToken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RoomMember> _byConnection = new(StringComparer.Ordinal);

    /// <summary>
    /// Cuts the transport (TCP) under a participant's SignalR connection, as a network failure
    /// would; false when it has none. The client sees an error and reconnects by itself.
    /// </summary>
    public bool AbortConnection(string participantId)
    {
        if (_byParticipant.TryGetValue(participantId, out RoomMember? member) && member.Context is { } context)
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
        => [.. participants.Select(p => _byParticipant.TryGetValue(p.Id, out RoomMember? m) ? m.Media : new MediaState(p.Id, true, true, false))];

    /// <summary>A fresh resume token: 192 random bits, URL-safe.</summary>
    internal static string NewToken()
        => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>Members known by participant id (every live one, held ones included).</summary>
    internal int Count => _byParticipant.Count;

    /// <summary>Resume tokens that would resume someone now.</summary>
    internal int TokenCount => _byToken.Count;

    /// <summary>Connections that speak for someone now.</summary>
    internal int ConnectionCount => _byConnection.Count;

    internal RoomMember? Find(string participantId) => _byParticipant.GetValueOrDefault(participantId);

    internal RoomMember? FindByToken(string token) => _byToken.GetValueOrDefault(token);

    internal RoomMember? FindByConnection(string connectionId) => _byConnection.GetValueOrDefault(connectionId);

    internal void Add(RoomMember member)
    {
        _byParticipant[member.Id] = member;
        _byToken[member.Token] = member;
        if (member.ConnectionId is { } connection)
        {
            _byConnection[connection] = member;
        }
    }

    /// <summary>Gives the member a fresh resume token; the one it had resumes nothing from now on.</summary>
    internal void RenewToken(RoomMember member)
    {
        _byToken.TryRemove(new KeyValuePair<string, RoomMember>(member.Token, member));
        member.Token = NewToken();
        _byToken[member.Token] = member;
    }

    /// <summary>Makes <paramref name="context"/> (null: none) the connection that speaks for the member.</summary>
    internal void Attach(RoomMember member, HubCallerContext? context)
    {
        if (member.ConnectionId is { } previous)
        {
            _byConnection.TryRemove(new KeyValuePair<string, RoomMember>(previous, member));
        }

        member.Attach(context);
        if (context is not null)
        {
            _byConnection[context.ConnectionId] = member;
        }
    }

    /// <summary>Forgets the member under every key; its token resumes nothing from now on.</summary>
    internal void Forget(RoomMember member)
    {
        _byParticipant.TryRemove(new KeyValuePair<string, RoomMember>(member.Id, member));
        _byToken.TryRemove(new KeyValuePair<string, RoomMember>(member.Token, member));
        if (member.ConnectionId is { } connection)
        {
            _byConnection.TryRemove(new KeyValuePair<string, RoomMember>(connection, member));
        }

        member.CancelGrace();
    }
}
