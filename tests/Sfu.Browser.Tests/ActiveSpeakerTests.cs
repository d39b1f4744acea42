namespace Sfu.Browser.Tests;

/// <summary>
/// The server's dominant-speaker choice (RFC 6464 levels) follows whoever makes sound, in a
/// four-person room that also gives README its picture.
/// </summary>
public sealed class ActiveSpeakerTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 180_000)]
    public async Task The_highlight_follows_the_participant_whose_microphone_makes_sound()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var everyone = new List<BrowserParticipant>();
        try
        {
            // One microphone on; two cameras on (enough for the picture, light on the 2 cores).
            everyone.Add(await BrowserParticipant.JoinAsync(browser, server, "design-review", "Ada Lovelace"));
            everyone.Add(await BrowserParticipant.JoinAsync(browser, server, "design-review", "Grace Hopper", "&mic=off"));
            everyone.Add(await BrowserParticipant.JoinAsync(browser, server, "design-review", "Alan Turing", "&mic=off&camera=off"));
            everyone.Add(await BrowserParticipant.JoinAsync(browser, server, "design-review", "Katherine Johnson", "&mic=off&camera=off"));
            foreach (BrowserParticipant p in everyone)
            {
                await p.WaitConnectedAsync(cancel);
            }

            await ExpectSpeakerAsync(everyone, "Ada Lovelace", cancel);

            BrowserParticipant ada = everyone[0];
            await SayAsync(everyone[1], "Morning all! Slides are in the channel.");
            await SayAsync(ada, "Thanks Grace, let's start with the latency numbers.");
            await SayAsync(everyone[3], "Looks great on my side. Ship it!");
            await Eventually.UntilAsync(ada.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Ada to decode Grace's camera", cancel);
            await Eventually.UntilAsync(() => ada.Page.GetByTestId("chat-message").CountAsync(), c => c == 3, Deadline, "the chat lines at Ada", cancel);
            await Screenshots.TakeAsync(ada.Page, "room-4.png", 1280, 760);

            // Ada mutes, Katherine unmutes: the floor moves to Katherine.
            await ada.Page.GetByTestId("toggle-mic").ClickAsync();
            await everyone[3].Page.GetByTestId("toggle-mic").ClickAsync();
            await ExpectSpeakerAsync(everyone, "Katherine Johnson", cancel);
        }
        finally
        {
            foreach (BrowserParticipant p in everyone)
            {
                await p.DisposeAsync();
            }
        }
    }

    private static async Task ExpectSpeakerAsync(List<BrowserParticipant> everyone, string speaker, CancellationToken cancel)
    {
        foreach (BrowserParticipant p in everyone)
        {
            await Eventually.UntilAsync(
                () => p.Page.Locator("[data-testid=participant-tile][data-speaking]").EvaluateAllAsync<string[]>("tiles => tiles.map(t => t.dataset.name)"),
                names => names.SequenceEqual([speaker]),
                Deadline,
                $"{p.Name} to highlight {speaker}",
                cancel);
        }
    }

    private static async Task SayAsync(BrowserParticipant p, string text)
    {
        await p.Page.GetByTestId("chat-input").FillAsync(text);
        await p.Page.GetByTestId("chat-send").ClickAsync();
        await p.Page.WaitForFunctionAsync("() => document.querySelector('[data-testid=chat-input]').value === ''");
    }
}
