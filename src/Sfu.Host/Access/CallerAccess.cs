using Microsoft.AspNetCore.SignalR;

namespace Sfu.Host.Access;

/// <summary>
/// What one hub connection presents and who it speaks as. The identity is fixed for the
/// connection's life once it joins or resumes: a token's <c>sub</c>, or, with no token (Open
/// mode), an anonymous identity of its own, which a Resume on a fresh connection takes over.
/// </summary>
internal static class CallerAccess
{
    /// <summary>The query parameter SignalR's clients put the access token in (browsers cannot set headers on WebSockets).</summary>
    public const string QueryParameter = "access_token";

    /// <summary>Anonymous identities begin with a character no token identity may hold, so the two never meet.</summary>
    public const string AnonymousPrefix = "~";

    private const string IdentityItem = "sfu.identity";

    /// <summary>The access token of the connection: <c>?access_token=</c>, else <c>Authorization: Bearer</c>.</summary>
    public static string? PresentedToken(HubCallerContext context)
    {
        HttpRequest? request = context.GetHttpContext()?.Request;
        if (request is null)
        {
            return null;
        }

        string? query = request.Query[QueryParameter];
        if (!string.IsNullOrEmpty(query))
        {
            return query;
        }

        string? authorization = request.Headers.Authorization;
        return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    /// <summary>The identity the connection already speaks as, if it joined or resumed before.</summary>
    public static string? Identity(HubCallerContext context)
        => context.Items.TryGetValue(IdentityItem, out object? value) ? value as string : null;

    public static void SetIdentity(HubCallerContext context, string identity) => context.Items[IdentityItem] = identity;

    /// <summary>The connection's own anonymous identity, made on first use.</summary>
    public static string AnonymousIdentity(HubCallerContext context)
    {
        if (Identity(context) is { } known && IsAnonymous(known))
        {
            return known;
        }

        string identity = AnonymousPrefix + context.ConnectionId;
        SetIdentity(context, identity);
        return identity;
    }

    public static bool IsAnonymous(string identity) => identity.StartsWith(AnonymousPrefix, StringComparison.Ordinal);
}
