using Microsoft.Playwright;

namespace Sfu.Browser.Tests;

public sealed class LobbyTests(SfuServerFixture server, BrowserFixture browser)
{
    [Fact]
    public async Task Lobby_remembers_the_nickname_and_Join_opens_the_room_page()
    {
        await using IBrowserContext context = await browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(server.Url("/"));

        ILocator nickname = page.GetByTestId("nickname");
        await nickname.FillAsync("Ada Lovelace");
        await page.ReloadAsync();
        Assert.Equal("Ada Lovelace", await page.GetByTestId("nickname").InputValueAsync());

        await page.GetByTestId("room-name").FillAsync("Team_Room");
        await page.GetByTestId("join").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/room/", StringComparison.Ordinal), Navigation.UrlCommitted);

        var url = new Uri(page.Url);
        Assert.Equal("/room/Team_Room", url.AbsolutePath);
        Assert.Equal("?name=Ada%20Lovelace", url.Query);
        Assert.Equal("Team_Room", await page.GetByTestId("room-title").TextContentAsync());
        ILocator local = page.Locator("[data-testid=participant-tile][data-local]");
        Assert.Equal("Ada Lovelace", await local.GetAttributeAsync("data-name"));
    }

    [Fact]
    public async Task Lobby_does_not_navigate_without_a_nickname()
    {
        await using IBrowserContext context = await browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(server.Url("/"));

        await page.GetByTestId("room-name").FillAsync("somewhere");
        await page.GetByTestId("join").ClickAsync();

        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        Assert.False(await page.GetByTestId("nickname").EvaluateAsync<bool>("e => e.checkValidity()"));
    }

    [Fact]
    public async Task Room_page_without_a_name_sends_the_visitor_to_the_lobby_with_the_room_filled_in()
    {
        await using IBrowserContext context = await browser.NewContextAsync();
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(server.Url("/room/daily"));

        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/", Navigation.UrlCommitted);
        Assert.Equal("daily", await page.GetByTestId("room-name").InputValueAsync());
    }
}
