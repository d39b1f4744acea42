namespace Sfu.Browser.Tests;

/// <summary>Screen share: an extra video track, shown large at the others, gone when the share stops.</summary>
public sealed class ScreenShareTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 180_000)]
    public async Task A_shared_screen_appears_as_an_extra_video_at_the_others_and_disappears_when_stopped()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "screen-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "screen-room", "Bob", "&camera=off");
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada's camera", cancel);

        await ada.Page.GetByTestId("toggle-screen").ClickAsync();
        await Eventually.UntilAsync(() => ada.Page.GetByTestId("toggle-screen").GetAttributeAsync("aria-pressed"), p => p == "true", Deadline, "Ada's share to start", cancel);
        await Eventually.UntilAsync(() => bob.Page.GetByTestId("screen-tile").CountAsync(), c => c == 1, Deadline, "Bob to show Ada's screen", cancel);
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 2, Deadline, "Bob to decode camera and screen", cancel);
        Assert.Equal("Ada's screen", await bob.Page.GetByTestId("screen-tile").TextContentAsync());
        Assert.Equal(1, await bob.Tile("Ada").CountAsync());
        double screenWidth = await bob.Page.GetByTestId("screen-tile").EvaluateAsync<double>("e => e.getBoundingClientRect().width");
        double tileWidth = await bob.Tile("Ada").EvaluateAsync<double>("e => e.getBoundingClientRect().width");
        Assert.True(screenWidth > 2 * tileWidth, $"the screen is shown large ({screenWidth} px against a {tileWidth} px tile)");

        await ada.Page.GetByTestId("toggle-screen").ClickAsync();
        await Eventually.UntilAsync(() => bob.Page.GetByTestId("screen-tile").CountAsync(), c => c == 0, Deadline, "Ada's screen to disappear at Bob", cancel);
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "only Ada's camera left at Bob", cancel);

        // The browser's own "stop sharing" ends the track: the share ends the same way.
        await ada.Page.GetByTestId("toggle-screen").ClickAsync();
        await Eventually.UntilAsync(() => bob.Page.GetByTestId("screen-tile").CountAsync(), c => c == 1, Deadline, "Ada's second share at Bob", cancel);
        await ada.Page.EvaluateAsync("() => window.sfu.screenTrack.dispatchEvent(new Event('ended'))");
        await Eventually.UntilAsync(() => bob.Page.GetByTestId("screen-tile").CountAsync(), c => c == 0, Deadline, "the ended share to disappear at Bob", cancel);
        Assert.Equal("false", await ada.Page.GetByTestId("toggle-screen").GetAttributeAsync("aria-pressed"));
    }
}
