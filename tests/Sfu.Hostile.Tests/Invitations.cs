using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sfu.Host.Access;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>Join tokens for a server in Token mode, minted with its own key (or a key it does not know).</summary>
internal static class Invitations
{
    public const string KeyId = "main";

    /// <summary>The server's signing secret: 32 bytes and more.</summary>
    public const string Secret = "hostile-suite-signing-secret-0123456789";

    /// <summary>Arguments that put a server in Token mode with <see cref="Secret"/>.</summary>
    public static readonly string[] TokenMode = [$"--Sfu:Auth:Keys:{KeyId}={Secret}"];

    public static string Mint(SfuTestServer server, string identity, string room, string? name = null, bool canPublish = true, bool canSubscribe = true)
        => server.Services.GetRequiredService<AccessTokens>().Mint(Grant(identity, room, name, canPublish, canSubscribe, DateTimeOffset.UtcNow.AddHours(1)), DateTimeOffset.UtcNow);

    /// <summary>A token signed by someone who does not hold the server's secret (same key id, other secret).</summary>
    public static string Forge(string identity, string room)
    {
        var options = new AuthOptions();
        options.Keys[KeyId] = "not-the-servers-secret-but-long-enough!!";
        return new AccessTokens(Options.Create(options)).Mint(Grant(identity, room, null, true, true, DateTimeOffset.UtcNow.AddHours(1)), DateTimeOffset.UtcNow);
    }

    /// <summary>A token of the server's own key whose validity ended an hour ago.</summary>
    public static string Expired(SfuTestServer server, string identity, string room)
        => server.Services.GetRequiredService<AccessTokens>().Mint(Grant(identity, room, null, true, true, DateTimeOffset.UtcNow.AddHours(-1)), DateTimeOffset.UtcNow.AddHours(-2));

    private static AccessGrant Grant(string identity, string room, string? name, bool canPublish, bool canSubscribe, DateTimeOffset expires)
        => new(identity, name ?? identity, room, canPublish, canSubscribe, expires);
}
