using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sfu.Core;
using Sfu.Core.Routing;

namespace Sfu.Browser.Tests;

/// <summary>A room at its size limit turns a newcomer away with the server's reason on the page, and the lobby shows it full.</summary>
public sealed class FullRoomTests(SfuServerFixture server, BrowserFixture browser)
{
    [Fact(Timeout = 120_000)]
    public async Task Joining_a_full_room_shows_why_and_leaves_the_room_as_it_was()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var engine = server.Services.GetRequiredService<SfuEngine>();
        // Seats taken in the engine itself: members with no media, which is all the limit counts.
        Participant[] seated = [.. Enumerable.Range(0, SfuServerFixture.MaxParticipantsPerRoom).Select(i => engine.Join("full-room", $"seat{i}", new SilentEvents()))];
        try
        {
            await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "full-room", "Ada", "&camera=off");

            await Eventually.UntilAsync(ada.ConnectionStateAsync, s => s == "failed", TimeSpan.FromSeconds(20), "Ada's page to give up", cancel);
            string? banner = await ada.Page.GetByTestId("error-banner").TextContentAsync();
            Assert.Equal($"Could not join: The room 'full-room' is full: it admits {SfuServerFixture.MaxParticipantsPerRoom} participants.", banner);
            Assert.Equal(SfuServerFixture.MaxParticipantsPerRoom, engine.Rooms.Find("full-room")!.Participants.Length);

            // The lobby says so before anyone tries: the entry is marked full and cannot be clicked.
            await using IBrowserContext lobbyContext = await browser.NewContextAsync();
            IPage lobby = await lobbyContext.NewPageAsync();
            await lobby.GotoAsync(server.Url("/"));
            ILocator entry = lobby.Locator("[data-testid=room-entry][data-room=\"full-room\"]");
            await entry.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
            Assert.Equal("true", await entry.GetAttributeAsync("data-full"));
            Assert.True(await entry.IsDisabledAsync());
            Assert.Contains("Full", await entry.TextContentAsync() ?? "", StringComparison.Ordinal);
        }
        finally
        {
            foreach (Participant participant in seated)
            {
                engine.Leave(participant);
            }
        }
    }

    private sealed class SilentEvents : IParticipantEvents
    {
        public Task OfferAsync(string sdp) => Task.CompletedTask;

        public Task RemovedAsync(string reason, IReadOnlyList<Producer> unpublished) => Task.CompletedTask;
    }
}
