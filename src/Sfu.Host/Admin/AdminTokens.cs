using Sfu.Host.Access;

namespace Sfu.Host.Admin;

/// <summary><c>POST /api/admin/tokens</c>: an operator mints a join token and its invite link.</summary>
internal static class AdminTokens
{
    public static async Task<IResult> MintAsync(HttpContext context, AccessTokens tokens, TimeProvider time)
    {
        if (!tokens.HasKeys)
        {
            return Results.Json(
                new AdminError($"No signing key is configured: set {AuthOptions.Section}:Keys:<key id>=<secret>."),
                statusCode: StatusCodes.Status409Conflict);
        }

        TokenRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<TokenRequest>(context.RequestAborted).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request is null)
        {
            return Results.BadRequest(new AdminError("Send JSON: {room, identity, name?, canPublish?, canSubscribe?, validSeconds?}."));
        }

        DateTimeOffset now = time.GetUtcNow();
        AccessGrant? grant = request.ToGrant(now, tokens.MaxValidity, out string? error);
        if (grant is null)
        {
            return Results.BadRequest(new AdminError(error!));
        }

        string token = tokens.Mint(grant, now);
        string url = InviteLinks.For($"{context.Request.Scheme}://{context.Request.Host.Value}", grant.Room, token);
        return Results.Ok(new MintedToken(token, url, grant.Identity, grant.Room, grant.Expires));
    }
}
