using Microsoft.Extensions.DependencyInjection;
using Sfu.Core;
using Sfu.Core.Routing;

namespace Sfu.Browser.Tests;

/// <summary>A participant stops and restarts the others' video toward it without renegotiation.</summary>
public sealed class IncomingVideoTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 180_000)]
    public async Task Pausing_incoming_video_stops_the_frames_keeps_the_audio_and_resuming_shows_no_loss()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "pause-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "pause-room", "Bob", "&camera=off");
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada's camera", cancel);
        int negotiations = await bob.Page.EvaluateAsync<int>("() => window.sfu.negotiations");
        (double lostBefore, _, _) = await bob.VideoReceptionAsync();
        long resentBefore = Engine.Counters.PacketsRetransmitted;

        await bob.Page.EvaluateAsync("() => window.sfu.setIncomingVideo(false)");

        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 0, Deadline, "Ada's frames to stop at Bob", cancel);
        Assert.Equal(1, await bob.CountReceivingRemoteAudioAsync());
        Assert.True(BobsCopyOfAdasVideo().IsPaused);
        long sentWhilePaused = BobsCopyOfAdasVideo().PacketsSent;
        await Task.Delay(TimeSpan.FromSeconds(2), cancel); // several hundred of Ada's packets go by
        Assert.Equal(sentWhilePaused, BobsCopyOfAdasVideo().PacketsSent);

        await bob.Page.EvaluateAsync("() => window.sfu.setIncomingVideo(true)");

        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Ada's frames to resume at Bob", cancel);
        // The numbering went on from the last packet sent: Chromium saw a pause, not a gap to
        // repair, so it neither counts the paused stretch as lost nor asks for it to be resent.
        await Task.Delay(TimeSpan.FromSeconds(1), cancel);
        (double lostAfter, _, _) = await bob.VideoReceptionAsync();
        long resent = Engine.Counters.PacketsRetransmitted - resentBefore;
        Assert.True(lostAfter - lostBefore < 20, $"Bob counted {lostAfter - lostBefore} video packets lost across the pause");
        Assert.True(resent < 20, $"{resent} packets of the paused stretch were resent to Bob");
        Assert.Equal(negotiations, await bob.Page.EvaluateAsync<int>("() => window.sfu.negotiations"));
    }

    /// <summary>
    /// A closing tab runs pagehide (the client closes and sends Leave) and then turns hidden
    /// (the page pauses incoming video): nothing may follow the Leave, which the server would
    /// refuse from a connection no longer in a room.
    /// </summary>
    [Fact(Timeout = 180_000)]
    public async Task Pausing_incoming_video_while_the_client_closes_sends_nothing_after_the_leave()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "pause-close-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "pause-close-room", "Bob", "&camera=off");
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada's camera", cancel);

        string outcome = await bob.Page.EvaluateAsync<string>(
            """
            async () => {
              const closing = window.sfu.close();
              const outcome = await window.sfu.setIncomingVideo(false).then(() => 'resolved', (e) => e.message);
              await closing;
              return outcome;
            }
            """);

        Assert.Equal("resolved", outcome);
        Assert.Equal(["Ada"], Engine.Rooms.Find("pause-close-room")!.Participants.Select(p => p.DisplayName));
    }

    private SfuEngine Engine => server.Services.GetRequiredService<SfuEngine>();

    private DownTrack BobsCopyOfAdasVideo()
    {
        Room room = Engine.Rooms.Find("pause-room")!;
        Participant bob = room.Participants.Single(p => p.DisplayName == "Bob");
        return bob.DownTracks.Single(d => d.Source.Kind == MediaKind.Video);
    }
}
