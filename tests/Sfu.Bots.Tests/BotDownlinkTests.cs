using Sfu.Core.Routing;
using MediaKind = Sfu.Core.MediaKind;

namespace Sfu.Bots.Tests;

/// <summary>
/// Bots that send transport-wide feedback, one of them behind a downlink the kernel shapes
/// (<see cref="LoopbackShaper"/>: tc on lo, in the test's private network namespace). The
/// server's estimator and allocator run on the bot's real feedback; which layer arrives is read
/// from the key frames' VP8 headers, what arrives from the bot's socket.
/// </summary>
[Collection(nameof(ShapesLoopback))]
public sealed class BotDownlinkTests(SfuServerFixture server) : IClassFixture<SfuServerFixture>
{
    /// <summary>Over the middle layer (250 kbit/s) and the audio, under the top one (1 Mbit/s).</summary>
    private const long Limit = 500_000;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 120_000)]
    public async Task A_bot_behind_a_narrow_downlink_is_moved_to_a_layer_that_fits_and_back_when_it_widens()
    {
        Assert.SkipUnless(LoopbackShaper.InPrivateNamespace(), "needs a private network namespace (unshare -n), as the test command runs it");
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string room = "downlink-" + Guid.NewGuid().ToString("N")[..8];
        await using SfuBot publisher = await SfuBot.ConnectAsync(
            server.Url,
            new SfuBotOptions { Room = room, Name = "publisher", Simulcast = true, VideoBitrate = 1_000_000 },
            cancel);
        await using SfuBot narrow = await SubscriberAsync(room, "narrow");
        await using SfuBot wide = await SubscriberAsync(room, "wide");
        RemoteTrack narrowVideo = await VideoAsync(narrow);
        RemoteTrack wideVideo = await VideoAsync(wide);
        await narrow.SetVideoSizeAsync(narrowVideo, 1280, 720, cancel);
        await wide.SetVideoSizeAsync(wideVideo, 1280, 720, cancel);
        Participant narrowAtServer = server.Engine.Rooms.Find(room)!.Participants.Single(p => p.Id == narrow.ParticipantId);

        // Both start on the top layer, estimated from their own feedback.
        Assert.True(await narrow.WaitUntilAsync(_ => Width(narrowVideo) == 1280, Patience), Describe(narrow, narrowAtServer));
        Assert.True(await wide.WaitUntilAsync(_ => Width(wideVideo) == 1280, Patience), Describe(wide, narrowAtServer));
        Assert.True(await narrow.WaitUntilAsync(b => b.TransportFeedbackSent > 0 && narrowAtServer.DownlinkEstimate > Limit, Patience), Describe(narrow, narrowAtServer));

        using LoopbackShaper shaper = LoopbackShaper.Create();
        shaper.Limit(narrow.LocalEndPoint.Port, Limit);

        // The narrow one's estimate falls under its link and a smaller layer's key frame arrives;
        // the wide one keeps the top layer.
        Assert.True(await narrow.WaitUntilAsync(_ => narrowAtServer.DownlinkEstimate is > 0 and <= Limit && Width(narrowVideo) is > 0 and < 1280, Patience), Describe(narrow, narrowAtServer));

        // Once what queued before the switch has drained, what arrives fits the link, and the
        // video goes on: frames keep coming, each with its key frame.
        await Task.Delay(LoopbackShaper.QueueLatency * 4, cancel);
        long bytes = narrow.SrtpBytesReceived;
        long frames = narrowVideo.GetStats().FramesReceived;
        long withoutReference = narrowVideo.GetStats().FramesWithoutReference;
        DateTime from = DateTime.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(3), cancel);
        double received = (narrow.SrtpBytesReceived - bytes) * 8 / (DateTime.UtcNow - from).TotalSeconds;
        string numbers = $"{received:0} bit/s of SRTP received through a {Limit} bit/s link; {Describe(narrow, narrowAtServer)}; queue: {shaper.Statistics(narrow.LocalEndPoint.Port)}";
        TestContext.Current.SendDiagnosticMessage(numbers);
        Assert.True(received < Limit, numbers);
        Assert.True(narrowVideo.GetStats().FramesReceived >= frames + 30, numbers);
        Assert.Equal(withoutReference, narrowVideo.GetStats().FramesWithoutReference);
        Assert.Equal(1280, Width(wideVideo));

        // The link widens: probes find it, and the top layer comes back.
        shaper.Lift(narrow.LocalEndPoint.Port);
        Assert.True(await narrow.WaitUntilAsync(_ => Width(narrowVideo) == 1280, Patience), Describe(narrow, narrowAtServer));
        Assert.Equal(0, narrow.ReceiveErrors);
    }

    [Fact(Timeout = 120_000)]
    public async Task Behind_600k_the_estimate_settles_near_the_link_and_the_middle_layer_arrives_not_the_lowest()
    {
        // Layers q 94k, h 375k, f 1.5M (the load tool's ladder) and ~40 kbit/s of audio: h and
        // the audio fit 600 kbit/s, f does not. Once the link is fitted, the subscriber sends
        // well under its estimate (application-limited), so only probes for the next step can
        // show h fits when a cut has left it on q.
        Assert.SkipUnless(LoopbackShaper.InPrivateNamespace(), "needs a private network namespace (unshare -n), as the test command runs it");
        const long limit = 600_000;
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string room = "downlink-600k-" + Guid.NewGuid().ToString("N")[..8];
        await using SfuBot publisher = await SfuBot.ConnectAsync(
            server.Url,
            new SfuBotOptions { Room = room, Name = "publisher", Simulcast = true, VideoBitrate = 1_500_000 },
            cancel);
        await using SfuBot narrow = await SubscriberAsync(room, "narrow");
        RemoteTrack video = await VideoAsync(narrow);
        await narrow.SetVideoSizeAsync(video, 1280, 720, cancel);
        Participant atServer = server.Engine.Rooms.Find(room)!.Participants.Single(p => p.Id == narrow.ParticipantId);
        Assert.True(await narrow.WaitUntilAsync(b => Width(video) == 1280 && b.TransportFeedbackSent > 0 && atServer.DownlinkEstimate > limit, Patience), Describe(narrow, atServer));

        using LoopbackShaper shaper = LoopbackShaper.Create();
        shaper.Limit(narrow.LocalEndPoint.Port, limit);
        Assert.True(await narrow.WaitUntilAsync(_ => atServer.DownlinkEstimate is > 0 and <= limit && Width(video) is > 0 and < 1280, Patience), Describe(narrow, atServer));

        // Fifteen seconds on the narrow link (room for a failed probe toward f and the cut that
        // follows it), then the estimate and the layer over five more.
        await Task.Delay(TimeSpan.FromSeconds(15), cancel);
        List<long> estimates = [];
        List<int> widths = [];
        for (int i = 0; i < 25; i++)
        {
            estimates.Add(atServer.DownlinkEstimate);
            widths.Add(Width(video));
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancel);
        }

        long median = estimates.Order().ElementAt(estimates.Count / 2);
        string numbers = $"estimates over the last 5 s {string.Join(" ", estimates)}, widths {string.Join(" ", widths.Distinct())}; "
            + $"{Describe(narrow, atServer)}; queue: {shaper.Statistics(narrow.LocalEndPoint.Port)}";
        TestContext.Current.SendDiagnosticMessage(numbers);
        Assert.True(median >= 0.8 * limit, numbers);
        Assert.Equal(640, Width(video));
        Assert.Equal(0, narrow.ReceiveErrors);
    }

    [Fact]
    public async Task Without_feedback_a_bot_is_sent_everything_and_the_server_has_no_estimate_for_it()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        string room = "no-feedback-" + Guid.NewGuid().ToString("N")[..8];
        await using SfuBot publisher = await SfuBot.ConnectAsync(server.Url, new SfuBotOptions { Room = room, Name = "publisher" }, cancel);
        await using SfuBot silent = await SfuBot.ConnectAsync(
            server.Url,
            new SfuBotOptions { Room = room, Name = "silent", PublishAudio = false, PublishVideo = false },
            cancel);
        RemoteTrack video = await VideoAsync(silent);
        Assert.True(await silent.WaitUntilAsync(_ => video.GetStats().FramesReceived >= 30, Patience), video.GetStats().ToString());

        Participant atServer = server.Engine.Rooms.Find(room)!.Participants.Single(p => p.Id == silent.ParticipantId);
        Assert.Equal(0, silent.TransportFeedbackSent);
        Assert.Equal(0, atServer.DownlinkEstimate);
    }

    private Task<SfuBot> SubscriberAsync(string room, string name) => SfuBot.ConnectAsync(
        server.Url,
        new SfuBotOptions { Room = room, Name = name, PublishAudio = false, PublishVideo = false, SendTransportFeedback = true },
        TestContext.Current.CancellationToken);

    private static async Task<RemoteTrack> VideoAsync(SfuBot bot)
    {
        Assert.True(await bot.WaitUntilAsync(b => b.RemoteTracks.Any(t => t.Kind == MediaKind.Video), Patience), "no video track was offered");
        return bot.RemoteTracks.Single(t => t.Kind == MediaKind.Video);
    }

    private static int Width(RemoteTrack track) => track.GetStats().FrameWidth;

    private static string Describe(SfuBot bot, Participant atServer)
        => $"{bot.ParticipantId}: estimate {atServer.DownlinkEstimate}, allocated {atServer.AllocatedBitrate}, feedback sent {bot.TransportFeedbackSent}, "
            + string.Join("; ", bot.RemoteTracks.Select(t => t.GetStats().ToString()));
}
