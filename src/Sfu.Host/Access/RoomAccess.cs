using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Routing;
using Sfu.Host.Rooms;
using Sfu.Host.Signaling;

namespace Sfu.Host.Access;

/// <summary>
/// Who may join a room and who may take a seat back with Resume. In Token mode a Join needs a
/// valid token for that room; in Open mode anyone may join, and a token, when presented, is
/// checked all the same. A resume token moves a seat only to the identity that holds it: the
/// token's identity, or in Open mode the anonymous identity of the connection that joined.
/// </summary>
public sealed class RoomAccess(AccessTokens tokens, Refusals refusals)
{
    public AccessMode Mode => tokens.Mode;

    /// <summary>The admission of the caller to <paramref name="room"/>; throws a counted HubException when refused.</summary>
    internal async Task<Admission> AdmitAsync(HubCallerContext context, string room)
    {
        AccessGrant? grant = await GrantOfAsync(context).ConfigureAwait(false);
        if (grant is null)
        {
            return new Admission(CallerAccess.AnonymousIdentity(context), null, ParticipantPermissions.All, Authenticated: false);
        }

        if (!string.Equals(grant.Room, room, StringComparison.Ordinal))
        {
            throw refusals.Refuse(RefusalReason.Access, $"The access token admits to room '{grant.Room}', not '{room}'.");
        }

        CallerAccess.SetIdentity(context, grant.Identity);
        return new Admission(grant.Identity, grant.DisplayName, grant.Permissions, Authenticated: true);
    }

    /// <summary>Refuses (counted) unless the caller is the identity <paramref name="member"/> is.</summary>
    internal async Task CheckResumeAsync(HubCallerContext context, RoomMember member)
    {
        AccessGrant? grant = await GrantOfAsync(context).ConfigureAwait(false);
        string? caller = grant?.Identity ?? CallerAccess.Identity(context);
        bool same = grant is not null
            ? member.Authenticated && caller == member.Identity && grant.Room == member.Room
            : !member.Authenticated && (caller is null || caller == member.Identity);
        if (!same)
        {
            throw refusals.Refuse(RefusalReason.Resume, "resume: that session belongs to another participant; join instead.");
        }

        CallerAccess.SetIdentity(context, member.Identity);
    }

    /// <summary>The caller's valid token's grant; null when it presents none in Open mode; refused otherwise.</summary>
    private async Task<AccessGrant?> GrantOfAsync(HubCallerContext context)
    {
        string? token = CallerAccess.PresentedToken(context);
        if (token is null)
        {
            return tokens.Mode == AccessMode.Token
                ? throw refusals.Refuse(RefusalReason.Access, "This server admits invited participants only: open your invite link (it carries the access token).")
                : null;
        }

        (AccessGrant? grant, string? error) = await tokens.ValidateAsync(token).ConfigureAwait(false);
        return grant ?? throw refusals.Refuse(RefusalReason.Access, error!);
    }
}
