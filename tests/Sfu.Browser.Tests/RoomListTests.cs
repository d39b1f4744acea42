using Microsoft.Playwright;

namespace Sfu.Browser.Tests;

/// <summary>The lobby's live room list follows joins and leaves over SignalR.</summary>
public sealed class RoomListTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan ListDeadline = TimeSpan.FromSeconds(2);

    [Fact(Timeout = 120_000)]
    public async Task The_room_count_changes_within_two_seconds_of_a_join_and_a_leave_and_an_emptied_room_leaves_the_list()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        // Closed at the end, bounded (as BrowserParticipant does); a failure leaves it to the browser's own close.
        IBrowserContext lobbyContext = await browser.NewContextAsync();
        IPage lobby = await lobbyContext.NewPageAsync();
        await lobby.GotoAsync(server.Url("/"));
        await Eventually.UntilAsync(() => EntryAsync(lobby, "list-room"), e => e == "", TimeSpan.FromSeconds(10), "an empty list for list-room", cancel);

        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "list-room", "Ada", "&camera=off");
        await ada.WaitConnectedAsync(cancel);
        await Eventually.UntilAsync(() => EntryAsync(lobby, "list-room"), e => e == "1 person", ListDeadline, "list-room with 1 person", cancel);

        BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "list-room", "Bob", "&camera=off");
        await using (bob)
        {
            await Eventually.UntilAsync(() => EntryAsync(lobby, "list-room"), e => e == "2 people", ListDeadline + TimeSpan.FromSeconds(3), "list-room with 2 people", cancel);
            await lobby.GetByTestId("nickname").FillAsync("Margaret");
            await lobby.GetByTestId("room-name").FillAsync("list-room");
            await Screenshots.TakeAsync(lobby, "lobby.png", 1100, 640);
            await bob.Page.GetByTestId("leave").ClickAsync();
            await Eventually.UntilAsync(() => EntryAsync(lobby, "list-room"), e => e == "1 person", ListDeadline, "list-room back to 1 person after Bob's Leave", cancel);
        }

        // Closing the tab (no Leave click) also counts at once: the page leaves by beacon.
        await ada.CloseTabAsync();
        await Eventually.UntilAsync(() => EntryAsync(lobby, "list-room"), e => e == "", ListDeadline, "the emptied room to leave the list", cancel);

        // An entry joins its room on click, with the remembered nickname.
        await lobby.GetByTestId("nickname").FillAsync("Carol");
        await using BrowserParticipant dave = await BrowserParticipant.JoinAsync(browser, server, "click-room", "Dave", "&camera=off");
        ILocator entry = lobby.Locator("[data-testid=room-entry][data-room=\"click-room\"]");
        await entry.WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        await entry.ClickAsync();
        await lobby.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/room/click-room", Navigation.UrlCommitted);
        try
        {
            await lobby.CloseAsync().WaitAsync(TimeSpan.FromSeconds(20), cancel);
        }
        catch (TimeoutException)
        {
            // The room page the lobby became holds a peer connection; a renderer busy on a loaded
            // machine may not close in time, and the test's claims were all checked above.
            TestContext.Current.SendDiagnosticMessage("the lobby's tab did not close within 20 s");
        }

        try
        {
            await lobbyContext.CloseAsync().WaitAsync(TimeSpan.FromSeconds(20), cancel);
        }
        catch (TimeoutException)
        {
            TestContext.Current.SendDiagnosticMessage("the lobby's browser context did not close within 20 s");
        }
    }

    /// <summary>The count text of the room's entry, or "" when the room is not listed.</summary>
    /// <remarks>
    /// Read in one step in the page: a count and then a locator's text would race the entry's
    /// removal, and the text read waits (30 s) for an entry that left between the two.
    /// </remarks>
    private static Task<string> EntryAsync(IPage lobby, string room)
        => lobby.EvaluateAsync<string>(
            "room => [...document.querySelectorAll('[data-testid=room-entry]')].find(e => e.dataset.room === room)?.querySelector('[data-testid=room-count]')?.textContent ?? ''",
            room);
}
