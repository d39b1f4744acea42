namespace Sfu.Browser.Tests;

/// <summary>The server's dominant-speaker choice (RFC 6464 levels) follows whoever makes sound.</summary>
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
            everyone.Add(await BrowserParticipant.JoinAsync(browser, server, "speaker-room", "Ada", "&camera=off"));
            everyone.Add(await BrowserParticipant.JoinAsync(browser, server, "speaker-room", "Bob", "&camera=off&mic=off"));
            everyone.Add(await BrowserParticipant.JoinAsync(browser, server, "speaker-room", "Carol", "&camera=off&mic=off"));
            foreach (BrowserParticipant p in everyone)
            {
                await p.WaitConnectedAsync(cancel);
            }

            await ExpectSpeakerAsync(everyone, "Ada", cancel);

            // Ada mutes, Carol unmutes: the floor moves to Carol.
            await everyone[0].Page.GetByTestId("toggle-mic").ClickAsync();
            await everyone[2].Page.GetByTestId("toggle-mic").ClickAsync();
            await ExpectSpeakerAsync(everyone, "Carol", cancel);
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
}
