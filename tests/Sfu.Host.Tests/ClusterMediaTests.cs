using Microsoft.Extensions.DependencyInjection;
using Sfu.Bots;
using Sfu.Core.Relay;
using Sfu.Core.Routing;
using Sfu.Host.Cluster;
using MediaKind = Sfu.Core.MediaKind;

namespace Sfu.Host.Tests;

/// <summary>
/// A room that spans two real nodes (Kestrel on 127.0.0.1, a real redis-server): bots on our own
/// stack publish on one node and subscribe on the other, so every packet crosses the relay link.
/// </summary>
public sealed partial class ClusterMediaTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 120_000)]
    public async Task A_publisher_on_one_node_reaches_two_subscribers_on_the_other_with_one_relayed_copy_per_packet()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes nodes = await TwoNodes.StartAsync();
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        NodeRelays relaysA = a.Services.GetRequiredService<NodeRelays>();
        NodeRelays relaysB = b.Services.GetRequiredService<NodeRelays>();

        // No scheduled keyframes: the subscribers' video can only start on a keyframe their
        // node asked for over the relay.
        SfuBot publisher = await SfuBot.ConnectAsync(new Uri(a.BaseUrl), new SfuBotOptions { Room = "span", Name = "pub", ToneFrequency = 440, KeyframeInterval = 1_000_000 }, cancel);
        await using (publisher)
        {
            SfuBot first = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("sub-1"), cancel);
            await using (first)
            {
                SfuBot second = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("sub-2"), cancel);
                await using (second)
                {
                    foreach (SfuBot subscriber in new[] { first, second })
                    {
                        Assert.True(await subscriber.WaitUntilAsync(Flowing(audio: 100, frames: 30), Patience), Describe(subscriber, a, b));
                        Assert.Equal(0, subscriber.ReceiveErrors);
                        foreach (RemoteTrack track in subscriber.RemoteTracks)
                        {
                            // The publisher's tracks under its own stream id, on the subscriber's own SSRCs.
                            Assert.Equal(publisher.ParticipantId, track.StreamId);
                            Assert.NotEqual(track.Kind == MediaKind.Audio ? publisher.AudioSsrc : publisher.VideoSsrc, track.Ssrc);
                        }

                        // The Opus the publisher encoded decodes to its tone; the VP8 frames parse
                        // as the publisher wrote them (the bot counts only frames it can read).
                        Assert.InRange(AudioOf(subscriber).DominantFrequency(), 430, 450);
                        Assert.True(VideoOf(subscriber).GetStats().KeyframesReceived >= 1);
                    }

                    Assert.NotEqual(AudioOf(first).Ssrc, AudioOf(second).Ssrc);

                    // Node B holds the publisher as a remote member with two tracks, each with a
                    // down-track per subscriber.
                    Room span = b.Engine.Rooms.Find("span")!;
                    RemotePublisher remote = Assert.Single(span.RemotePublishers);
                    Assert.Equal(publisher.ParticipantId, remote.Id);
                    Assert.Equal(2, remote.Producers.Length);
                    Assert.All(remote.Producers, p => Assert.Equal(2, p.DownTracks.Length));

                    // One copy per publisher packet crosses the link, not one per subscriber.
                    RelayLink fromA = Assert.Single(relaysA.Links);
                    RelayLink intoB = Assert.Single(relaysB.Links);
                    (long sent, long received, long published) before = (fromA.PacketsSent, intoB.PacketsReceived, Published(publisher));
                    await Task.Delay(TimeSpan.FromSeconds(3), cancel);
                    (long sent, long received, long published) after = (fromA.PacketsSent, intoB.PacketsReceived, Published(publisher));
                    double perPacket = (double)(after.sent - before.sent) / (after.published - before.published);
                    TestContext.Current.TestOutputHelper?.WriteLine($"relayed {after.sent - before.sent} packets for {after.published - before.published} published: {perPacket:0.000} per packet");
                    Assert.True(after.published - before.published > 100, $"the publisher sent only {after.published - before.published} packets in 3 s");
                    Assert.InRange(perPacket, 0.8, 1.2);
                    Assert.InRange((double)(after.received - before.received) / (after.sent - before.sent), 0.8, 1.2);
                    Assert.Equal(0, intoB.PacketsSent);

                    // A subscriber's PLI crosses back to the publisher, which sends a keyframe.
                    RemoteTrack video = VideoOf(first);
                    await Task.Delay(700, cancel);
                    long keyframesBefore = video.GetStats().KeyframesReceived;
                    long requestsBefore = publisher.GetSendStats().KeyframeRequestsReceived;
                    Assert.True(first.SendPictureLossIndication(video));
                    Assert.True(await first.WaitUntilAsync(_ => video.GetStats().KeyframesReceived > keyframesBefore, TimeSpan.FromSeconds(5)), Describe(first, a, b));
                    Assert.True(publisher.GetSendStats().KeyframeRequestsReceived > requestsBefore);

                    // A burst of PLIs is one keyframe request at the publisher: the layer's
                    // throttle on node B and on node A lets one through per interval.
                    await Task.Delay(DownTrack.KeyframeRequestInterval + TimeSpan.FromMilliseconds(200), cancel);
                    long burstBefore = publisher.GetSendStats().KeyframeRequestsReceived;
                    for (int i = 0; i < 5; i++)
                    {
                        Assert.True(first.SendPictureLossIndication(video));
                    }

                    await Poll.UntilAsync(() => publisher.GetSendStats().KeyframeRequestsReceived > burstBefore, "the burst's keyframe request to reach the publisher");
                    await Task.Delay(200, cancel);
                    Assert.Equal(burstBefore + 1, publisher.GetSendStats().KeyframeRequestsReceived);

                    // A FIR (RFC 5104 §4.3.1) crosses back the same way and brings a keyframe.
                    await Task.Delay(DownTrack.KeyframeRequestInterval + TimeSpan.FromMilliseconds(200), cancel);
                    long firKeyframesBefore = video.GetStats().KeyframesReceived;
                    long firBefore = publisher.GetSendStats().KeyframeRequestsReceived;
                    byte[] fir = new byte[32];
                    int firLength = Sfu.Core.Rtcp.FullIntraRequest.TryWrite(fir, 0x1234_5678, [new Sfu.Core.Rtcp.FirEntry(video.Ssrc, 1)]);
                    Assert.True(firLength > 0 && first.SendRtcp(fir.AsSpan(0, firLength)));
                    await Poll.UntilAsync(() => publisher.GetSendStats().KeyframeRequestsReceived > firBefore, "the FIR's keyframe request to reach the publisher");
                    Assert.True(await first.WaitUntilAsync(_ => video.GetStats().KeyframesReceived > firKeyframesBefore, TimeSpan.FromSeconds(5)), Describe(first, a, b));

                    // A NACK is answered by the subscriber's node from the relayed packets it
                    // keeps; nothing of it goes to node A.
                    long resentBefore = b.Engine.Counters.PacketsRetransmitted;
                    ushort highest = video.HighestSequenceNumber;
                    ushort[] lost = [unchecked((ushort)(highest - 3)), unchecked((ushort)(highest - 2)), unchecked((ushort)(highest - 1))];
                    byte[] nack = new byte[64];
                    int length = Sfu.Core.Rtcp.GenericNack.TryWrite(nack, 0x1234_5678, video.Ssrc, lost);
                    Assert.True(first.SendRtcp(nack.AsSpan(0, length)));
                    await Poll.UntilAsync(() => b.Engine.Counters.PacketsRetransmitted >= resentBefore + 3, "node B to resend the three packets from its own buffer");
                    Assert.Equal(0, a.Engine.Counters.NacksReceived);
                }
            }

            // The subscribers' node still hosts the room; the publisher leaves node A.
            await using SfuBot third = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("sub-3"), cancel);
            Assert.True(await third.WaitUntilAsync(Flowing(audio: 25, frames: 5), Patience), Describe(third, a, b));
            await publisher.DisposeAsync();
            await Poll.UntilAsync(() => b.Engine.Rooms.Find("span") is { } room && room.RemotePublishers.IsEmpty && room.Participants.All(p => p.DownTracks.IsEmpty), "node B to end the departed publisher's tracks");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task When_the_publishers_node_dies_the_subscribers_on_the_other_node_lose_its_tracks()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using RedisServer redis = await RedisServer.StartAsync();
        await using SfuServerProcess a = await SfuServerProcess.StartAsync(TwoNodes.Args(redis));
        await using SfuTestServer b = await SfuTestServer.StartAsync(TwoNodes.Args(redis));
        await using SfuBot publisher = await SfuBot.ConnectAsync(new Uri(a.BaseUrl), new SfuBotOptions { Room = "span", Name = "pub", ToneFrequency = 660 }, cancel);
        await using SfuBot subscriber = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("sub"), cancel);
        Assert.True(await subscriber.WaitUntilAsync(Flowing(audio: 50, frames: 15), Patience), Describe(subscriber, b));
        Assert.InRange(AudioOf(subscriber).DominantFrequency(), 650, 670);
        Room span = b.Engine.Rooms.Find("span")!;
        Assert.Equal(2, Assert.Single(span.RemotePublishers).Producers.Length);

        await a.KillAsync();
        await Poll.UntilAsync(() => span.RemotePublishers.IsEmpty && span.Participants.All(p => p.DownTracks.IsEmpty), "node B to end the tracks of the dead node's publisher");
        await Poll.UntilAsync(() => b.Services.GetRequiredService<NodeRelays>().Links.Count == 0, "node B to drop its link to the dead node");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_simulcast_publisher_on_one_node_reaches_a_subscriber_on_the_other_small_first_then_large_when_it_asks()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes nodes = await TwoNodes.StartAsync();
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        // No scheduled keyframes: each layer the subscriber gets starts on a keyframe its node
        // asked for over the relay, on that layer's SSRC.
        await using SfuBot publisher = await SfuBot.ConnectAsync(
            new Uri(a.BaseUrl),
            new SfuBotOptions { Room = "span", Name = "pub", Simulcast = true, PublishAudio = false, VideoBitrate = 1_000_000, KeyframeInterval = 1_000_000 },
            cancel);
        await using SfuBot subscriber = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("sub"), cancel);
        Assert.True(await subscriber.WaitUntilAsync(bot => bot.RemoteTracks.Any(t => t.Kind == MediaKind.Video), Patience), Describe(subscriber, a, b));
        RemoteTrack video = VideoOf(subscriber);

        await subscriber.SetVideoSizeAsync(video, 320, 180, cancel);
        Assert.True(await subscriber.WaitUntilAsync(_ => Receiving(video, 320, 180, frames: 30), Patience), Describe(subscriber, a, b));

        // Node B holds the publisher's camera as a remote simulcast producer, each layer on the
        // SSRC the publisher sent it on; the subscriber gets the bottom one on its own SSRC.
        IReadOnlyList<VideoLayerStats> sent = publisher.GetVideoLayerStats();
        Producer remote = Assert.Single(Assert.Single(b.Engine.Rooms.Find("span")!.RemotePublishers).Producers);
        Assert.Equal(["q", "h", "f"], remote.Layers.Select(l => l.Rid));
        Assert.Equal(sent.Select(l => l.Ssrc), remote.Layers.Select(l => l.Stream?.Ssrc ?? 0));
        Assert.Equal(0, Assert.Single(remote.DownTracks).CurrentLayer);
        Assert.DoesNotContain(video.Ssrc, sent.Select(l => l.Ssrc));
        Assert.Equal(publisher.ParticipantId, video.StreamId);

        // The tile grows: the top layer's keyframe is asked for over the relay, and the
        // subscriber moves to it on the same SSRC, every frame decodable.
        Assert.True(sent[0].KeyframeRequests > 0, sent[0].ToString());
        long topRequests = sent[2].KeyframeRequests;
        long frames = video.GetStats().FramesReceived;
        uint ssrc = video.Ssrc;
        await subscriber.SetVideoSizeAsync(video, 1280, 720, cancel);
        Assert.True(await subscriber.WaitUntilAsync(_ => Receiving(video, 1280, 720, frames: frames + 30), Patience), Describe(subscriber, a, b));
        Assert.Equal(2, Assert.Single(remote.DownTracks).CurrentLayer);
        Assert.Equal(ssrc, video.Ssrc);
        Assert.True(publisher.GetVideoLayerStats()[2].KeyframeRequests > topRequests, "no keyframe request for the top layer reached the publisher");
        RemoteTrackStats stats = video.GetStats();
        Assert.True(stats.FramesWithoutReference == 0, $"delta frames without their key frame: {stats}");
        Assert.Equal(0, subscriber.ReceiveErrors);
        Assert.All(publisher.GetVideoLayerStats(), l => Assert.True(l.Active && l.Packets > 0, l.ToString()));

        // Every layer crosses the link once, whichever the subscriber takes.
        RelayLink fromA = Assert.Single(a.Services.GetRequiredService<NodeRelays>().Links);
        (long sent, long published) before = (fromA.PacketsSent, publisher.GetVideoLayerStats().Sum(l => l.Packets));
        await Task.Delay(TimeSpan.FromSeconds(2), cancel);
        (long sent, long published) after = (fromA.PacketsSent, publisher.GetVideoLayerStats().Sum(l => l.Packets));
        double perPacket = (double)(after.sent - before.sent) / (after.published - before.published);
        TestContext.Current.TestOutputHelper?.WriteLine($"relayed {after.sent - before.sent} packets for {after.published - before.published} sent on three layers: {perPacket:0.000} per packet");
        Assert.True(after.published - before.published > 100, $"the publisher sent only {after.published - before.published} packets in 2 s");
        Assert.InRange(perPacket, 0.8, 1.2);
    }

    private static bool Receiving(RemoteTrack track, int width, int height, long frames)
    {
        RemoteTrackStats stats = track.GetStats();
        return stats.FrameWidth == width && stats.FrameHeight == height && stats.FramesReceived >= frames;
    }

    private static SfuBotOptions Subscriber(string name) => new() { Room = "span", Name = name, PublishAudio = false, PublishVideo = false };

    [Fact(Timeout = 120_000)]
    public async Task A_room_at_its_limit_of_remote_tracks_keeps_the_audio_and_relays_nothing_more()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes nodes = await TwoNodes.StartAsync([], ["--Sfu:Cluster:MaxRemoteTracksPerRoom=1"]);
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        NodeRelays relaysB = b.Services.GetRequiredService<NodeRelays>();
        await using SfuBot publisher = await SfuBot.ConnectAsync(new Uri(a.BaseUrl), new SfuBotOptions { Room = "span", Name = "pub", ToneFrequency = 550 }, cancel);
        await using SfuBot subscriber = await SfuBot.ConnectAsync(new Uri(b.BaseUrl), Subscriber("sub"), cancel);

        // Node B takes one of the publisher's two tracks, the audio, and says it left one out.
        Assert.True(
            await subscriber.WaitUntilAsync(s => s.RemoteTracks.Count == 1 && AudioOf(s).GetStats().PacketsReceived >= 100, Patience),
            Describe(subscriber, a, b));
        Assert.InRange(AudioOf(subscriber).DominantFrequency(), 540, 560);
        Room span = b.Engine.Rooms.Find("span")!;
        Producer remote = Assert.Single(Assert.Single(span.RemotePublishers).Producers);
        Assert.Equal(MediaKind.Audio, remote.Kind);
        Assert.Equal(1, relaysB.RemoteTracksOverLimit);

        // Nobody on B wants the video, so it does not cross: one relayed packet per audio packet.
        RelayLink intoB = Assert.Single(relaysB.Links);
        (long received, long audio) before = (intoB.PacketsReceived, publisher.GetSendStats().AudioPackets);
        await Task.Delay(TimeSpan.FromSeconds(2), cancel);
        (long received, long audio) after = (intoB.PacketsReceived, publisher.GetSendStats().AudioPackets);
        Assert.True(after.audio - before.audio > 50, $"the publisher sent only {after.audio - before.audio} audio packets in 2 s");
        Assert.InRange((double)(after.received - before.received) / (after.audio - before.audio), 0.8, 1.2);
        Assert.Single(subscriber.RemoteTracks);
    }

    private static long Published(SfuBot bot)
    {
        BotSendStats stats = bot.GetSendStats();
        return stats.AudioPackets + stats.VideoPackets;
    }

    private static RemoteTrack AudioOf(SfuBot bot) => bot.RemoteTracks.Single(t => t.Kind == MediaKind.Audio);

    private static RemoteTrack VideoOf(SfuBot bot) => bot.RemoteTracks.Single(t => t.Kind == MediaKind.Video);

    private static Func<SfuBot, bool> Flowing(long audio, long frames) => bot =>
    {
        IReadOnlyList<RemoteTrack> tracks = bot.RemoteTracks;
        return tracks.Count == 2 && tracks.All(t => t.Kind == MediaKind.Audio ? t.GetStats().PacketsReceived >= audio : t.GetStats().FramesReceived >= frames);
    };

    private static string Describe(SfuBot bot, params SfuTestServer[] nodes)
        => $"{bot.ParticipantId}: [{string.Join("; ", bot.RemoteTracks.Select(t => t.GetStats()))}] relays: "
           + string.Join("; ", nodes.SelectMany(n => n.Services.GetRequiredService<NodeRelays>().Links).Select(l => $"to {l.PeerNodeId} sent {l.PacketsSent} got {l.PacketsReceived} dropped {l.Dropped} connected {l.IsConnected}"));
}
