using Sfu.Core;
using MediaKind = Sfu.Core.MediaKind;

namespace Sfu.Bots.Tests;

/// <summary>
/// A bot publishing simulcast (rids q/h/f, key frames declaring 320×180, 640×360, 1280×720)
/// and bots receiving it, against the real server over real UDP on loopback. Which layer
/// arrives is read from the key frames' VP8 headers in the payload, not from server counters.
/// </summary>
public sealed class SimulcastBotTests(SfuServerFixture server) : IClassFixture<SfuServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Each_subscriber_receives_the_layer_it_asks_for_and_a_switch_up_starts_on_a_keyframe_without_a_gap()
    {
        string room = "simulcast-" + Guid.NewGuid().ToString("N")[..8];
        await using SfuBot publisher = await PublisherAsync(room);
        await using SfuBot small = await SubscriberAsync(room, "small");
        await using SfuBot large = await SubscriberAsync(room, "large");
        RemoteTrack smallVideo = await VideoAsync(small);
        RemoteTrack largeVideo = await VideoAsync(large);

        await small.SetVideoSizeAsync(smallVideo, 320, 180, TestContext.Current.CancellationToken);
        await large.SetVideoSizeAsync(largeVideo, 1280, 720, TestContext.Current.CancellationToken);

        Assert.True(await small.WaitUntilAsync(_ => Receiving(smallVideo, 320, 180), Patience), Describe(small, publisher));
        Assert.True(await large.WaitUntilAsync(_ => Receiving(largeVideo, 1280, 720), Patience), Describe(large, publisher));

        // Both keep receiving their own layer for a while, every frame usable, nothing missing.
        long smallFrames = smallVideo.GetStats().FramesReceived;
        long largeFrames = largeVideo.GetStats().FramesReceived;
        Assert.True(await small.WaitUntilAsync(_ => smallVideo.GetStats().FramesReceived >= smallFrames + 30, Patience), Describe(small, publisher));
        Assert.True(await large.WaitUntilAsync(_ => largeVideo.GetStats().FramesReceived >= largeFrames + 30, Patience), Describe(large, publisher));
        AssertSize(smallVideo, 320, 180);
        AssertSize(largeVideo, 1280, 720);
        AssertContiguousAndDecodable(small, smallVideo);
        AssertContiguousAndDecodable(large, largeVideo);

        // The smaller tile grows: the next key frame it gets is the top layer's, and the
        // sequence numbers run on across the switch.
        await small.SetVideoSizeAsync(smallVideo, 1280, 720, TestContext.Current.CancellationToken);
        Assert.True(await small.WaitUntilAsync(_ => Receiving(smallVideo, 1280, 720), Patience), Describe(small, publisher));
        smallFrames = smallVideo.GetStats().FramesReceived;
        Assert.True(await small.WaitUntilAsync(_ => smallVideo.GetStats().FramesReceived >= smallFrames + 30, Patience), Describe(small, publisher));
        AssertSize(smallVideo, 1280, 720);
        AssertContiguousAndDecodable(small, smallVideo);
        Assert.Equal(0, small.ReceiveErrors);
        Assert.Equal(0, large.ReceiveErrors);

        // The publisher sent all three layers, on their own SSRCs, under their rids.
        IReadOnlyList<VideoLayerStats> layers = publisher.GetVideoLayerStats();
        Assert.Equal(["q", "h", "f"], layers.Select(l => l.Rid));
        Assert.Equal(3, layers.Select(l => l.Ssrc).Distinct().Count());
        Assert.All(layers, l => Assert.True(l.Packets > 0 && l.Keyframes > 0, l.ToString()));
    }

    [Fact]
    public async Task A_pinned_layer_arrives_whatever_the_size_and_unpinning_goes_back_to_the_size()
    {
        string room = "simulcast-pin-" + Guid.NewGuid().ToString("N")[..8];
        await using SfuBot publisher = await PublisherAsync(room);
        await using SfuBot subscriber = await SubscriberAsync(room, "pinned");
        RemoteTrack video = await VideoAsync(subscriber);

        await subscriber.SetVideoSizeAsync(video, 320, 180, TestContext.Current.CancellationToken);
        await subscriber.SetVideoLayerAsync(video, "h", TestContext.Current.CancellationToken);
        Assert.True(await subscriber.WaitUntilAsync(_ => Receiving(video, 640, 360), Patience), Describe(subscriber, publisher));

        await subscriber.SetVideoLayerAsync(video, null, TestContext.Current.CancellationToken);
        Assert.True(await subscriber.WaitUntilAsync(_ => Receiving(video, 320, 180), Patience), Describe(subscriber, publisher));
        AssertContiguousAndDecodable(subscriber, video);
    }

    [Fact]
    public async Task Layers_nobody_watches_stop_at_the_bot_and_come_back_when_asked_for()
    {
        string room = "simulcast-dynacast-" + Guid.NewGuid().ToString("N")[..8];
        await using SfuBot publisher = await PublisherAsync(room);
        await using SfuBot subscriber = await SubscriberAsync(room, "watcher");
        RemoteTrack video = await VideoAsync(subscriber);

        await subscriber.SetVideoSizeAsync(video, 320, 180, TestContext.Current.CancellationToken);
        Assert.True(await subscriber.WaitUntilAsync(_ => Receiving(video, 320, 180), Patience), Describe(subscriber, publisher));

        // The server pauses a layer after it went unwanted for a while (LayerDemand.UnusedBeforePause).
        TimeSpan pause = Sfu.Core.Routing.LayerDemand.UnusedBeforePause + Patience;
        Assert.True(await publisher.WaitUntilAsync(p => Active(p) == "q", pause), Describe(subscriber, publisher));
        VideoLayerStats top = publisher.GetVideoLayerStats()[2];
        long lowPackets = publisher.GetVideoLayerStats()[0].Packets;
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Equal(top.Packets, publisher.GetVideoLayerStats()[2].Packets);
        Assert.True(publisher.GetVideoLayerStats()[0].Packets > lowPackets);

        await subscriber.SetVideoSizeAsync(video, 1280, 720, TestContext.Current.CancellationToken);
        Assert.True(await publisher.WaitUntilAsync(p => Active(p) == "q,h,f", Patience), Describe(subscriber, publisher));
        Assert.True(await subscriber.WaitUntilAsync(_ => Receiving(video, 1280, 720), Patience), Describe(subscriber, publisher));
        AssertContiguousAndDecodable(subscriber, video);
    }

    private static string Active(SfuBot publisher)
        => string.Join(',', publisher.GetVideoLayerStats().Where(l => l.Active).Select(l => l.Rid));

    private Task<SfuBot> PublisherAsync(string room) => SfuBot.ConnectAsync(
        server.Url,
        new SfuBotOptions { Room = room, Name = "publisher", Simulcast = true, PublishAudio = false, VideoBitrate = 1_000_000, KeyframeInterval = 90 },
        TestContext.Current.CancellationToken);

    private Task<SfuBot> SubscriberAsync(string room, string name) => SfuBot.ConnectAsync(
        server.Url,
        new SfuBotOptions { Room = room, Name = name, PublishAudio = false, PublishVideo = false },
        TestContext.Current.CancellationToken);

    private static async Task<RemoteTrack> VideoAsync(SfuBot bot)
    {
        Assert.True(await bot.WaitUntilAsync(b => b.RemoteTracks.Any(t => t.Kind == MediaKind.Video), Patience), "no video track was offered");
        return bot.RemoteTracks.Single(t => t.Kind == MediaKind.Video);
    }

    private static bool Receiving(RemoteTrack track, int width, int height)
    {
        RemoteTrackStats stats = track.GetStats();
        return stats.FrameWidth == width && stats.FrameHeight == height;
    }

    private static void AssertSize(RemoteTrack track, int width, int height)
    {
        RemoteTrackStats stats = track.GetStats();
        Assert.True(stats.FrameWidth == width && stats.FrameHeight == height, $"expected {width}x{height}: {stats}");
    }

    /// <summary>
    /// Loss is counted from the first packet the bot read: one lost before it (the start of the
    /// first key frame) shows only as delta frames without their key frame, so the message says
    /// how many packets came before the bot's keys and how many of those it could not keep.
    /// </summary>
    private static void AssertContiguousAndDecodable(SfuBot bot, RemoteTrack track)
    {
        RemoteTrackStats stats = track.GetStats();
        string before = $"{bot.SrtpBeforeKeys} SRTP packets arrived before the bot's keys, {bot.SrtpDroppedBeforeKeys} of them dropped";
        Assert.True(stats.PacketsLost == 0 && stats.LatePackets == 0, $"sequence numbers not contiguous: {stats}; {before}");
        Assert.True(stats.FramesWithoutReference == 0, $"delta frames without their key frame: {stats}; {before}");
        Assert.True(stats.KeyframesReceived > 0, $"{stats}; {before}");
    }

    private static string Describe(SfuBot subscriber, SfuBot publisher)
        => $"{subscriber.ParticipantId}: errors={subscriber.ReceiveErrors} unknown={subscriber.UnknownSsrcPackets} beforeKeys={subscriber.SrtpBeforeKeys} droppedBeforeKeys={subscriber.SrtpDroppedBeforeKeys} negotiationErrors={subscriber.NegotiationErrors} "
            + $"tracks=[{string.Join("; ", subscriber.RemoteTracks.Select(t => t.GetStats().ToString()))}] "
            + $"publisher layers=[{string.Join("; ", publisher.GetVideoLayerStats())}] publisherNegotiationErrors={publisher.NegotiationErrors}";
}
