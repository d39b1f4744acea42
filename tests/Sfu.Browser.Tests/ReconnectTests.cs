using Microsoft.Extensions.DependencyInjection;
using Sfu.Host.Meeting;

namespace Sfu.Browser.Tests;

/// <summary>A dropped signaling connection recovers by itself; media resumes and nobody sees a leave.</summary>
public sealed class ReconnectTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 180_000)]
    public async Task Cutting_the_signaling_connection_on_the_server_is_followed_by_automatic_recovery_of_media()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "reconnect-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "reconnect-room", "Bob");
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada", cancel);
        await Eventually.UntilAsync(ada.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Ada to decode Bob", cancel);
        string adaId = await ada.ParticipantIdAsync();
        await bob.Page.EvaluateAsync("() => { window.leftEvents = []; window.sfu.on('participantLeft', (p) => window.leftEvents.push(p.participantId)); }");
        await ada.Page.EvaluateAsync("() => { window.recoveries = []; window.sfu.on('recovered', (r) => window.recoveries.push(r)); }");

        Assert.True(server.Services.GetRequiredService<MeetingSessions>().AbortConnection(adaId));

        await Eventually.UntilAsync(
            () => ada.Page.EvaluateAsync<string[]>("() => window.recoveries"),
            r => r.Length == 1,
            Deadline,
            "Ada's client to recover by itself",
            cancel);
        Assert.Equal(["resumed"], await ada.Page.EvaluateAsync<string[]>("() => window.recoveries"));
        Assert.Equal(adaId, await ada.ParticipantIdAsync());
        await Eventually.UntilAsync(ada.ConnectionStateAsync, s => s == "connected", Deadline, "Ada's status to be connected again", cancel);
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to keep decoding Ada", cancel);
        await Eventually.UntilAsync(ada.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Ada to keep decoding Bob", cancel);

        // Signaling works again on the new connection: a chat line and a camera toggle get through.
        await ada.Page.GetByTestId("chat-input").FillAsync("back again");
        await ada.Page.GetByTestId("chat-send").ClickAsync();
        await Eventually.UntilAsync(() => bob.Page.GetByTestId("chat-text").AllTextContentsAsync(), t => t.Contains("back again"), Deadline, "Bob to get Ada's line", cancel);
        await ada.Page.GetByTestId("toggle-camera").ClickAsync();
        await Eventually.UntilAsync(() => bob.Tile("Ada").GetAttributeAsync("data-camera"), c => c == "off", Deadline, "Bob to see Ada's camera off", cancel);

        Assert.Empty(await bob.Page.EvaluateAsync<string[]>("() => window.leftEvents"));
        Assert.Equal(["Ada"], await bob.RemoteTileNamesAsync());
    }
}
