using Microsoft.Playwright;

namespace Sfu.Browser.Tests;

/// <summary>
/// Pictures of the product for README: the lobby with live rooms and a four-person room,
/// taken in headless Chromium and written to docs/ of the repository.
/// </summary>
public sealed class ScreenshotTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 240_000)]
    public async Task Lobby_and_a_four_person_room_look_like_a_product()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string docs = DocsFolder();
        var everyone = new List<BrowserParticipant>();
        try
        {
            (string Name, string Query)[] people =
            [
                ("Ada Lovelace", "&mic=on"),
                ("Grace Hopper", "&mic=off"),
                ("Alan Turing", "&camera=off&mic=off"),
                ("Katherine Johnson", "&mic=off"),
            ];
            foreach ((string name, string query) in people)
            {
                everyone.Add(await BrowserParticipant.JoinAsync(browser, server, "design-review", name, query, 1280, 760));
            }

            foreach (BrowserParticipant p in everyone)
            {
                await p.WaitConnectedAsync(cancel);
            }

            BrowserParticipant ada = everyone[0];
            await Say(everyone[1], "Morning all! Slides are in the channel.");
            await Say(ada, "Thanks Grace — let's start with the latency numbers.");
            await Say(everyone[3], "Looks great on my side. Ship it!");
            await Eventually.UntilAsync(ada.CountDecodingRemoteVideoAsync, c => c == 2, Deadline, "Ada to decode the two cameras that are on", cancel);
            await Eventually.UntilAsync(
                () => ada.Page.Locator("[data-testid=participant-tile][data-speaking]").CountAsync(),
                c => c == 1,
                Deadline,
                "a dominant speaker",
                cancel);
            await Eventually.UntilAsync(() => ada.Page.GetByTestId("chat-message").CountAsync(), c => c == 3, Deadline, "the chat lines", cancel);
            await ada.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(docs, "room-4.png") });

            await using IBrowserContext lobbyContext = await browser.NewContextAsync(1100, 640);
            IPage lobby = await lobbyContext.NewPageAsync();
            await lobby.GotoAsync(server.Url("/"));
            await lobby.GetByTestId("nickname").FillAsync("Margaret");
            await lobby.GetByTestId("room-name").FillAsync("design-review");
            await Eventually.UntilAsync(
                () => lobby.Locator("[data-testid=room-entry][data-room=\"design-review\"] [data-testid=room-count]").AllTextContentsAsync(),
                t => t.SequenceEqual(["4 people"]),
                Deadline,
                "the lobby to list the room",
                cancel);
            await lobby.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(docs, "lobby.png") });
        }
        finally
        {
            foreach (BrowserParticipant p in everyone)
            {
                await p.DisposeAsync();
            }
        }

        Assert.True(new FileInfo(Path.Combine(docs, "room-4.png")).Length > 10_000);
        Assert.True(new FileInfo(Path.Combine(docs, "lobby.png")).Length > 10_000);
    }

    private static async Task Say(BrowserParticipant p, string text)
    {
        await p.Page.GetByTestId("chat-input").FillAsync(text);
        await p.Page.GetByTestId("chat-send").ClickAsync();
        await p.Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=chat-input]').value === ''");
    }

    /// <summary>docs/ beside SfuRouter.sln above the test binaries; a temporary folder elsewhere.</summary>
    private static string DocsFolder()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SfuRouter.sln")))
            {
                return Directory.CreateDirectory(Path.Combine(dir.FullName, "docs")).FullName;
            }
        }

        return Directory.CreateTempSubdirectory("sfu-docs").FullName;
    }
}
