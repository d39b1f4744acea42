using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sfu.Core;
using Sfu.Host.Tests;

namespace Sfu.Browser.Tests;

/// <summary>The lobby of one cluster node sending a newcomer to the node placement names (a real redis-server, two real nodes).</summary>
public sealed class ClusterPlacementTests(BrowserFixture browser)
{
    [Fact(Timeout = 90_000)]
    public async Task The_lobby_of_a_full_node_sends_a_newcomer_to_the_other_node_whose_room_page_joins_it()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using RedisServer redis = await RedisServer.StartAsync();
        string[] cluster = [$"--Sfu:Cluster:Redis={redis.ConnectionString}", "--Sfu:Cluster:HeartbeatSeconds=0.3", "--Sfu:Cluster:NodeTtlSeconds=2"];
        var full = new SfuServerFixture([.. cluster, "--Sfu:Limits:MaxParticipants=1"]);
        var spare = new SfuServerFixture(cluster);
        await full.InitializeAsync();
        await spare.InitializeAsync();
        try
        {
            // Node A at its capacity: one participant on it, over the hub.
            await using HubConnection filler = new HubConnectionBuilder().WithUrl(full.Url("/hubs/sfu")).Build();
            await filler.StartAsync(cancel);
            await filler.InvokeAsync<JsonElement>("Join", "first", "Filler", cancel);
            string spareOrigin = spare.BaseUri.GetLeftPart(UriPartial.Authority);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await Eventually.UntilAsync(
                async () => (await http.GetFromJsonAsync<JsonElement>(full.Url("/api/rooms/span/node"), cancel)).GetProperty("url").GetString(),
                url => url == spareOrigin,
                TimeSpan.FromSeconds(15),
                "placement on node A to name node B once A's load is in the directory",
                cancel);

            await using IBrowserContext context = await browser.NewContextAsync();
            IPage page = await context.NewPageAsync();
            await page.GotoAsync(full.Url("/"));
            await page.GetByTestId("nickname").FillAsync("Ada");
            await page.GetByTestId("room-name").FillAsync("span");
            await page.GetByTestId("join").ClickAsync();
            await page.WaitForURLAsync(url => url.StartsWith(spareOrigin + "/room/", StringComparison.Ordinal), Navigation.UrlCommitted);

            Assert.Equal("/room/span", new Uri(page.Url).AbsolutePath);
            ILocator local = page.Locator("[data-testid=participant-tile][data-local]");
            await local.WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
            Assert.Equal("Ada", await local.GetAttributeAsync("data-name"));
            SfuEngine spareEngine = spare.Services.GetRequiredService<SfuEngine>();
            // The page draws its own tile before its Join has reached the engine.
            await Eventually.UntilAsync(
                () => Task.FromResult(spareEngine.Rooms.Find("span")?.Participants.Select(p => p.DisplayName).ToArray() ?? []),
                names => names.SequenceEqual(["Ada"]),
                TimeSpan.FromSeconds(15),
                "Ada in the room on node B",
                cancel);
            Assert.Null(full.Services.GetRequiredService<SfuEngine>().Rooms.Find("span"));
        }
        finally
        {
            await spare.DisposeAsync();
            await full.DisposeAsync();
        }
    }
}
