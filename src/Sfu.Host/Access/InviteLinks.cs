namespace Sfu.Host.Access;

/// <summary>The room page's address with a join token: what an operator hands out as an invitation.</summary>
public static class InviteLinks
{
    public static string For(string baseUrl, string room, string token)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return $"{baseUrl.TrimEnd('/')}/room/{Uri.EscapeDataString(room)}?token={Uri.EscapeDataString(token)}";
    }
}
