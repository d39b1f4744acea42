using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sfu.Host.Access;

namespace Sfu.Browser.Tests;

/// <summary>
/// A server that admits by invitation (Token mode): the invite link's page joins under the
/// token's name and media flows; a page without a token is told why it cannot join; the lobby
/// lists no rooms and says why.
/// </summary>
public sealed class InviteLinkTests(BrowserFixture browser)
{
    private const string Secret = "browser-tests-signing-secret-0123456789";

    [Fact(Timeout = 180_000)]
    public async Task Invite_links_join_under_the_tokens_name_and_a_page_without_one_is_told_why()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var server = new SfuServerFixture($"--Sfu:Auth:Keys:main={Secret}");
        await server.InitializeAsync();
        try
        {
            AccessTokens tokens = server.Services.GetRequiredService<AccessTokens>();
            string Invite(string identity, string name)
                => tokens.Mint(new AccessGrant(identity, name, "invited", true, true, DateTimeOffset.UtcNow.AddHours(1)), DateTimeOffset.UtcNow);

            await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "invited", "Somebody", $"&token={Invite("ada", "Ada Lovelace")}");
            await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "invited", "Bob", $"&camera=off&token={Invite("bob", "Bob")}");
            await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, TimeSpan.FromSeconds(30), "Bob to decode Ada's camera", cancel);
            Assert.Equal("Ada Lovelace", await ada.Page.Locator("[data-testid=participant-tile][data-local]").GetAttributeAsync("data-name"));
            ILocator adaAtBob = bob.Page.Locator("[data-testid=participant-tile]:not([data-local])");
            Assert.Equal("Ada Lovelace", await adaAtBob.GetAttributeAsync("data-name"));

            await using BrowserParticipant mallory = await BrowserParticipant.JoinAsync(browser, server, "invited", "Mallory", "&camera=off");
            await Eventually.UntilAsync(mallory.ConnectionStateAsync, s => s == "failed", TimeSpan.FromSeconds(20), "Mallory's page to give up", cancel);
            Assert.Equal(
                "Could not join: This server admits invited participants only: open your invite link (it carries the access token).",
                await mallory.Page.GetByTestId("error-banner").TextContentAsync());

            await using IBrowserContext lobbyContext = await browser.NewContextAsync();
            IPage lobby = await lobbyContext.NewPageAsync();
            await lobby.GotoAsync(server.Url("/"));
            ILocator empty = lobby.GetByTestId("room-list-empty");
            await Eventually.UntilAsync(() => empty.TextContentAsync(), t => t?.Contains("lists no rooms", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10), "the lobby to say why it lists nothing", cancel);
            Assert.Equal(0, await lobby.GetByTestId("room-entry").CountAsync());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
