using Sfu.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Bots;
using Sfu.Core.Relay;
using Sfu.Core.Routing;
using Sfu.Host.Cluster;
using MediaKind = Sfu.Core.MediaKind;

namespace Sfu.Host.Tests;

/// <summary>
/// What crosses the relay follows what the other node's subscribers want: a track or layer
/// nobody there watches stays home, dynacast counts what they watch, and a relayed packet lost
/// on the way, or one a subscriber there misses that its node no longer holds, is fetched again
/// from the publisher's node.
/// </summary>
public sealed partial class ClusterMediaTests
{
    [Fact(Timeout = 180_000)]
    public async Task Ten_subscribers_on_the_other_node_get_one_relayed_copy_and_nothing_crosses_while_they_all_pause()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes nodes = await TwoNodes.StartAsync();
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        await using SfuBot publisher = await SfuBot.ConnectAsync(new Uri(a.BaseUrl), new SfuBotOptions { Room = "span", Name = "pub", ToneFrequency = 440, VideoBitrate = 200_000 }, cancel);
        await using SfuBot local = await SfuBot.ConnectAsync(new Uri(a.BaseUrl), Subscriber("local"), cancel);
        var remote = new List<SfuBot>();
        try
        {
            for (int i = 0; i < 10; i++)
            {
                remote.Add(await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber($"sub-{i}"), cancel));
            }

            foreach (SfuBot subscriber in remote.Append(local))
            {
                Assert.True(await subscriber.WaitUntilAsync(Flowing(audio: 50, frames: 15), Patience), Describe(subscriber, a, b));
            }

            Producer video = PublishedOn(a, publisher, MediaKind.Video);
            Producer audio = PublishedOn(a, publisher, MediaKind.Audio);
            RelayLink fromA = Assert.Single(a.Services.GetRequiredService<NodeRelays>().Links);
            Assert.Equal([fromA], video.Layers[0].RelayTargets);

            // Each of the publisher's packets crosses once, not once per subscriber there.
            (long relayed, long published) before = (fromA.PacketsSent, Published(publisher));
            await Task.Delay(TimeSpan.FromSeconds(2), cancel);
            double perPacket = (double)(fromA.PacketsSent - before.relayed) / (Published(publisher) - before.published);
            TestContext.Current.TestOutputHelper?.WriteLine($"ten subscribers on node B: {perPacket:0.000} relayed per published packet");
            Assert.InRange(perPacket, 0.8, 1.2);

            // All ten pause the video: it stops crossing, the audio still does, and the
            // subscriber on node A still gets the video.
            var beforePause = remote.Select(s => VideoOf(s).GetStats()).ToList();
            foreach (SfuBot subscriber in remote)
            {
                await subscriber.SetVideoSizeAsync(VideoOf(subscriber), 0, 0, cancel);
            }

            await Poll.UntilAsync(() => video.Layers[0].RelayTargets.IsEmpty, "node A to stop relaying the paused video");
            await Task.Delay(300, cancel);
            (long video, long audio, long frames) paused = (video.Layers[0].PacketsRelayed, audio.Layers[0].PacketsRelayed, VideoOf(local).GetStats().FramesReceived);
            await Task.Delay(TimeSpan.FromSeconds(2), cancel);
            (long video, long audio, long frames) later = (video.Layers[0].PacketsRelayed, audio.Layers[0].PacketsRelayed, VideoOf(local).GetStats().FramesReceived);
            TestContext.Current.TestOutputHelper?.WriteLine($"paused on node B: {later.video - paused.video} video and {later.audio - paused.audio} audio packets relayed in 2 s; {later.frames - paused.frames} frames on node A");
            Assert.Equal(0, later.video - paused.video);
            Assert.True(later.audio - paused.audio > 50, $"{later.audio - paused.audio} audio packets relayed in 2 s");
            Assert.True(later.frames - paused.frames > 30, $"{later.frames - paused.frames} frames on node A in 2 s");
            Assert.Equal([fromA], audio.Layers[0].RelayTargets);

            // Three resume: the video crosses again, once, and each of them picks up on the
            // same SSRC with its numbering running on (nothing reads as lost) from a keyframe.
            SfuBot[] resumed = [.. remote.Take(3)];
            foreach (SfuBot subscriber in resumed)
            {
                await subscriber.SetVideoSizeAsync(VideoOf(subscriber), 640, 360, cancel);
            }

            for (int i = 0; i < resumed.Length; i++)
            {
                RemoteTrack track = VideoOf(resumed[i]);
                RemoteTrackStats stopped = beforePause[i];
                Assert.True(await resumed[i].WaitUntilAsync(_ => track.GetStats().FramesReceived >= stopped.FramesReceived + 30, Patience), Describe(resumed[i], a, b));
                RemoteTrackStats stats = track.GetStats();
                Assert.Equal(stopped.Ssrc, stats.Ssrc);
                Assert.True(stats.KeyframesReceived > stopped.KeyframesReceived, stats.ToString());
                Assert.Equal(0, stats.FramesWithoutReference);
                Assert.True(stats.PacketsLost <= stopped.PacketsLost, $"the resumed stream reads as lost: before {stopped}, after {stats}");
                Assert.Equal(0, resumed[i].ReceiveErrors);
            }

            Assert.Equal([fromA], video.Layers[0].RelayTargets);
            (long relayed, long published) resumedBefore = (video.Layers[0].PacketsRelayed, publisher.GetSendStats().VideoPackets);
            await Task.Delay(TimeSpan.FromSeconds(2), cancel);
            double videoPerPacket = (double)(video.Layers[0].PacketsRelayed - resumedBefore.relayed) / (publisher.GetSendStats().VideoPackets - resumedBefore.published);
            TestContext.Current.TestOutputHelper?.WriteLine($"three resumed: {videoPerPacket:0.000} video packets relayed per published");
            Assert.InRange(videoPerPacket, 0.8, 1.2);
            Assert.InRange(AudioOf(resumed[0]).DominantFrequency(), 430, 450);
        }
        finally
        {
            foreach (SfuBot subscriber in remote)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task A_layer_only_nodes_without_a_viewer_for_it_would_receive_stays_home_and_dynacast_pauses_it_when_no_node_wants_it()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes nodes = await TwoNodes.StartAsync();
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        await using SfuBot publisher = await SfuBot.ConnectAsync(
            new Uri(a.BaseUrl),
            new SfuBotOptions { Room = "span", Name = "pub", Simulcast = true, PublishAudio = false, VideoBitrate = 1_000_000 },
            cancel);
        await using SfuBot large = await SfuBot.ConnectAsync(new Uri(a.BaseUrl), Subscriber("large-on-a"), cancel);
        await using SfuBot first = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("small-on-b-1"), cancel);
        await using SfuBot second = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("small-on-b-2"), cancel);
        foreach (SfuBot subscriber in new[] { large, first, second })
        {
            Assert.True(await subscriber.WaitUntilAsync(bot => bot.RemoteTracks.Any(t => t.Kind == MediaKind.Video), Patience), Describe(subscriber, a, b));
        }

        await large.SetVideoSizeAsync(VideoOf(large), 1280, 720, cancel);
        await first.SetVideoSizeAsync(VideoOf(first), 320, 180, cancel);
        await second.SetVideoSizeAsync(VideoOf(second), 320, 180, cancel);
        Assert.True(await large.WaitUntilAsync(_ => Receiving(VideoOf(large), 1280, 720, frames: 30), Patience), Describe(large, a, b));
        foreach (SfuBot subscriber in new[] { first, second })
        {
            Assert.True(await subscriber.WaitUntilAsync(_ => Receiving(VideoOf(subscriber), 320, 180, frames: 30), Patience), Describe(subscriber, a, b));
        }

        // Node B wants the bottom layer only: the upper two stay on node A.
        Producer video = PublishedOn(a, publisher, MediaKind.Video);
        RelayLink fromA = Assert.Single(a.Services.GetRequiredService<NodeRelays>().Links);
        await Poll.UntilAsync(() => video.Layers[1].RelayTargets.IsEmpty && video.Layers[2].RelayTargets.IsEmpty, "node A to stop relaying the layers node B does not want");
        Assert.Equal([fromA], video.Layers[0].RelayTargets);
        long[] before = [.. video.Layers.Select(l => l.PacketsRelayed)];
        long beforeLinks = fromA.PacketsSent;
        long bottomSent = publisher.GetVideoLayerStats()[0].Packets;

        // Longer than dynacast waits: node A's own viewer keeps the top layer on at the publisher.
        await Task.Delay(LayerDemand.UnusedBeforePause + TimeSpan.FromSeconds(1), cancel);
        long[] after = [.. video.Layers.Select(l => l.PacketsRelayed)];
        TestContext.Current.TestOutputHelper?.WriteLine($"relayed per layer in {LayerDemand.UnusedBeforePause.TotalSeconds + 1} s: {string.Join(", ", after.Zip(before, (x, y) => x - y))}; bottom layer sent {publisher.GetVideoLayerStats()[0].Packets - bottomSent}");
        Assert.Equal(0, after[1] - before[1]);
        Assert.Equal(0, after[2] - before[2]);
        Assert.InRange((double)(after[0] - before[0]) / (publisher.GetVideoLayerStats()[0].Packets - bottomSent), 0.8, 1.2);
        Assert.InRange(fromA.PacketsSent - beforeLinks - (after[0] - before[0]), -3, 3);
        Assert.All(publisher.GetVideoLayerStats(), l => Assert.True(l.Active, l.ToString()));
        Assert.True(Receiving(VideoOf(large), 1280, 720, frames: 30));

        // Node A's viewer shrinks too: now nobody anywhere wants the upper layers, and the
        // publisher is told to stop them.
        await large.SetVideoSizeAsync(VideoOf(large), 320, 180, cancel);
        await Poll.UntilAsync(() => publisher.GetVideoLayerStats() is [{ Active: true }, { Active: false }, { Active: false }], "dynacast to pause the two upper layers at the publisher", seconds: 20);

        // One viewer on node B grows its tile: the top layer is asked for again, crosses to
        // node B, and the viewer moves to it from a keyframe.
        long frames = VideoOf(first).GetStats().FramesReceived;
        await first.SetVideoSizeAsync(VideoOf(first), 1280, 720, cancel);
        Assert.True(await first.WaitUntilAsync(_ => Receiving(VideoOf(first), 1280, 720, frames: frames + 30), Patience), Describe(first, a, b));
        Assert.True(publisher.GetVideoLayerStats()[2].Active);
        Assert.Equal([fromA], video.Layers[2].RelayTargets);
        Assert.Equal(0, VideoOf(first).GetStats().FramesWithoutReference);
        Assert.Equal(0, first.ReceiveErrors);
        Assert.True(Receiving(VideoOf(second), 320, 180, frames: 30));
    }

    [Fact(Timeout = 120_000)]
    public async Task Relayed_packets_lost_on_the_way_are_asked_for_again_and_the_subscriber_on_the_other_node_misses_none()
    {
        Assert.SkipUnless(Sfu.Bots.LoopbackShaper.InPrivateNamespace(), "drops packets with nftables: runs only in a private loopback-only network namespace");
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes nodes = await TwoNodes.StartAsync();
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        NodeRelays relaysA = a.Services.GetRequiredService<NodeRelays>();
        await using SfuBot publisher = await SfuBot.ConnectAsync(new Uri(a.BaseUrl), new SfuBotOptions { Room = "span", Name = "pub", PublishAudio = false }, cancel);
        await using SfuBot subscriber = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("sub"), cancel);
        Assert.True(await subscriber.WaitUntilAsync(bot => bot.RemoteTracks.Count == 1 && VideoOf(bot).GetStats().FramesReceived >= 30, Patience), Describe(subscriber, a, b));
        RemoteTrack video = VideoOf(subscriber);
        Producer remote = Assert.Single(Assert.Single(b.Engine.Rooms.Find("span")!.RemotePublishers).Producers);
        RelayLink fromA = Assert.Single(relaysA.Links);
        RelayLink intoB = Assert.Single(b.Services.GetRequiredService<NodeRelays>().Links);
        RemoteTrackStats before = video.GetStats();
        (long sent, long received, long nacks, long resends) relay = (fromA.PacketsSent, intoB.PacketsReceived, remote.RelayNacksSent, relaysA.RelayResends);

        // One datagram in ten toward node B's relay port is lost for three seconds.
        await using (await Firewall.DropShareAsync(fromA.Remote.Port, percent: 10, cancel))
        {
            await Task.Delay(TimeSpan.FromSeconds(3), cancel);
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancel);
        RemoteTrackStats after = video.GetStats();
        long lostOnRelay = (fromA.PacketsSent - relay.sent) - (intoB.PacketsReceived - relay.received);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{lostOnRelay} relayed packets lost on the way; node B sent {remote.RelayNacksSent - relay.nacks} NACKs, node A resent {relaysA.RelayResends - relay.resends}; "
            + $"the subscriber got {after.LatePackets - before.LatePackets} late and lost {after.PacketsLost - before.PacketsLost}");
        Assert.True(lostOnRelay >= 5, $"only {lostOnRelay} relayed packets were lost");
        Assert.True(remote.RelayNacksSent - relay.nacks >= 5);
        Assert.True(relaysA.RelayResends - relay.resends >= 5);
        Assert.True(after.LatePackets - before.LatePackets >= 5, $"before {before}, after {after}");
        Assert.Equal(before.PacketsLost, after.PacketsLost);
        Assert.Equal(before.FramesWithoutReference, after.FramesWithoutReference);
        Assert.Equal(0, subscriber.ReceiveErrors);
    }

    [Fact]
    public async Task A_nack_the_subscribers_node_cannot_answer_goes_to_the_publishers_node_and_its_resend_reaches_the_subscriber()
    {
        // Node B keeps no relayed packet (its buffers may take 1 byte, less than a page), and
        // one RTP packet in twenty toward its participants is lost: every packet the subscriber
        // there misses can only come back from node A's buffer, across the relay, which already
        // carried it once.
        int mediaPort = RetransmissionTests.FreeUdpPort();
        await using var lossy = new LossyUdpRelay(mediaPort, dropRtpToPeers: 0.05);
        await using TwoNodes nodes = await TwoNodes.StartAsync(
            [],
            [$"--Sfu:Media:Port={mediaPort}", $"--Sfu:Media:AnnouncedPort={lossy.Port}", "--Sfu:Limits:RetransmissionBufferBytes=1"]);
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        NodeRelays relaysA = a.Services.GetRequiredService<NodeRelays>();
        await using WeriftPeer publisher = WeriftPeer.Start(a.BaseUrl, "span", "pub", expectRemotes: 0, durationMs: 15000, lingerMs: 1000);
        await using WeriftPeer subscriber = WeriftPeer.Start(b.BaseUrl, "span", "sub", expectRemotes: 0, durationMs: 15000, lingerMs: 1000);
        Producer? remote = null;
        await Poll.UntilAsync(
            () => (remote = b.Engine.Rooms.Find("span")?.RemotePublishers.SelectMany(p => p.Producers).FirstOrDefault(p => p.Kind == MediaKind.Video)) is not null,
            "node B to follow the publisher's video", seconds: 30);
        Producer followed = remote!;

        WeriftReport published = await publisher.WaitForReportAsync(TimeSpan.FromSeconds(40));
        WeriftReport received = await subscriber.WaitForReportAsync(TimeSpan.FromSeconds(40));

        // Every payload the subscriber got is the publisher's, byte for byte, under the number
        // node B first gave it, and over the middle of the run none stayed missing.
        TestContext.Current.SendDiagnosticMessage(
            $"dropped toward node B's participants {lossy.Dropped}; node B got {b.Engine.Counters.NacksReceived} NACKs, asked node A for {followed.NacksForwarded} packets "
            + $"and passed on {followed.ForwardedResends} of its answers ({followed.RelayRepairs} relay losses repaired); node A resent {relaysA.RelayResends} over the relay");
        Assert.True(lossy.Dropped > 0, "the lossy hop dropped nothing");
        Assert.Equal(0, b.Engine.Counters.PacketsRetransmitted - followed.ForwardedResends);
        int late = RetransmissionTests.AssertRepaired(received, published.ParticipantId, subscriber.Diagnostics);

        // Node B held none of them: each came from node A's buffer, as an RTX answer to a NACK
        // node B passed on, and went to the subscriber that asked.
        Assert.True(followed.NacksForwarded > 0, "node B asked node A for nothing");
        Assert.True(late <= followed.ForwardedResends + followed.RelayRepairs, $"{late} late packets but node B passed on only {followed.ForwardedResends} of node A's answers");
        Assert.True(relaysA.RelayResends >= followed.ForwardedResends, $"node A resent {relaysA.RelayResends}, node B passed on {followed.ForwardedResends}");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_track_published_and_ended_on_one_node_reaches_the_other_on_the_nodes_message_not_at_its_beat()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using RedisServer redis = await RedisServer.StartAsync();

        // Node B beats once at its start and then not for a minute: whatever it learns of node
        // A's tracks in this test, it learns from A's message on Redis or its link coming up.
        await using SfuTestServer a = await SfuTestServer.StartAsync(TwoNodes.Args(redis));
        await using SfuTestServer b = await SfuTestServer.StartAsync([.. TwoNodes.Args(redis), "--Sfu:Cluster:HeartbeatSeconds=60", "--Sfu:Cluster:NodeTtlSeconds=180"]);
        NodeRelays relaysB = b.Services.GetRequiredService<NodeRelays>();
        await using SfuBot first = await SfuBot.ConnectAsync(new Uri(a.BaseUrl), new SfuBotOptions { Room = "span", Name = "first", ToneFrequency = 440 }, cancel);
        await using SfuBot subscriber = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("sub"), cancel);
        Assert.True(await subscriber.WaitUntilAsync(Flowing(audio: 50, frames: 15), Patience), Describe(subscriber, a, b));
        Room span = b.Engine.Rooms.Find("span")!;
        int followed = relaysB.FollowedOnNudge;
        Assert.Equal(2, followed);

        SfuBot second = await SfuBot.ConnectAsync(new Uri(a.BaseUrl), new SfuBotOptions { Room = "span", Name = "second", ToneFrequency = 660, PublishVideo = false }, cancel);
        await using (second)
        {
            Assert.True(await subscriber.WaitUntilAsync(bot => bot.RemoteTracks.Any(t => t.StreamId == second.ParticipantId && t.GetStats().PacketsReceived >= 50), Patience), Describe(subscriber, a, b));
            Assert.InRange(subscriber.RemoteTracks.Single(t => t.StreamId == second.ParticipantId).DominantFrequency(), 650, 670);
            Assert.Equal(followed + 1, relaysB.FollowedOnNudge);
        }

        await Poll.UntilAsync(() => span.RemotePublishers.Length == 1, "node B to end the second publisher's track");
        Assert.Equal(followed + 2, relaysB.FollowedOnNudge);
        Assert.Equal(first.ParticipantId, Assert.Single(span.RemotePublishers).Id);
    }

    private static Producer PublishedOn(SfuTestServer node, SfuBot publisher, MediaKind kind)
        => node.Engine.Rooms.Find("span")!.Participants.Single(p => p.Id == publisher.ParticipantId).Producers.Single(p => p.Kind == kind);
}
