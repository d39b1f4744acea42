using Sfu.Bots;
using Sfu.Core;

namespace Sfu.LoadTest.Tests;

/// <summary>
/// The counting subscribers against the real server in its own process on 127.0.0.1: a full
/// publishing bot, counting subscribers that complete ICE and DTLS and then only read the clear
/// RTP header from one shared recvmmsg thread, and one full subscriber beside them.
/// </summary>
public sealed class CountingSubscriberTests
{
    private const int Counting = 8;

    [Fact(Timeout = 120_000)]
    public async Task Counting_subscribers_count_every_packet_the_publisher_sent_on_the_announced_ssrcs()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        (ChildProcess server, Uri url) = await SfuServerProcess.StartAsync(null, cancel);
        using ChildProcess serverProcess = server;
        using var reader = new BatchedSocketReader();
        var subscribers = new List<(SfuBot Bot, CountingSubscriber Counting)>();
        SfuBot publisher = await SfuBot.ConnectAsync(url, Options("publisher", publish: true), cancel);
        SfuBot full = await SfuBot.ConnectAsync(url, Options("full", publish: false), cancel);
        try
        {
            for (int i = 0; i < Counting; i++)
            {
                var counting = new CountingSubscriber(reader);
                SfuBotOptions options = Options($"counting-{i}", publish: false);
                options.SocketReader = counting;
                options.ControlInterval = CountingSubscriber.ControlInterval;
                subscribers.Add((await SfuBot.ConnectAsync(url, options, cancel), counting));
            }

            Assert.Equal(Counting, reader.Count);
            foreach ((SfuBot bot, CountingSubscriber counting) in subscribers)
            {
                if (!await bot.WaitUntilAsync(b => b.RemoteTracks.Count == 2 && b.RemoteTracks.All(t => counting.Counter.Get(t.Ssrc).Packets > 0), TimeSpan.FromSeconds(20)))
                {
                    // What the server says it sends this subscriber, beside what arrived.
                    using var http = new HttpClient { BaseAddress = url };
                    string room = await http.GetStringAsync(new Uri("/api/admin/rooms/counting", UriKind.Relative), cancel);
                    Assert.Fail($"{bot.ParticipantId}: tracks announced {string.Join(", ", bot.RemoteTracks.Select(t => $"{t.Kind} {t.Ssrc}"))}, "
                        + $"SSRCs counted: {string.Join(", ", counting.Counter.Ssrcs().Select(s => $"{s} ({counting.Counter.Get(s).Packets})"))}; the room at the server: {room}");
                }
            }

            // The window: counters first, then what the publisher had sent (so every packet
            // counted at the start was sent before it); then the publisher stops and the last
            // packets drain. Each subscriber must count what the publisher sent in between, give
            // or take the packets in flight when the window opened.
            var before = subscribers.Select(s => Counts(s.Bot, s.Counting)).ToList();
            var fullBefore = Counts(full, null);
            BotSendStats sentBefore = publisher.GetSendStats();
            await Task.Delay(TimeSpan.FromSeconds(3), cancel);
            await publisher.DisposeAsync();
            BotSendStats sentAfter = publisher.GetSendStats();
            await Task.Delay(TimeSpan.FromSeconds(1), cancel);

            long audioSent = sentAfter.AudioPackets - sentBefore.AudioPackets;
            long videoSent = sentAfter.VideoPackets - sentBefore.VideoPackets;
            Assert.True(audioSent > 100 && videoSent > 300, $"the publisher sent {audioSent} audio and {videoSent} video packets");

            // The full subscriber, which decrypts every packet, saw the same window.
            var fullAfter = Counts(full, null);
            AssertCounted("audio (full subscriber)", audioSent, fullAfter.Audio.Packets - fullBefore.Audio.Packets, tolerance: 5);
            AssertCounted("video (full subscriber)", videoSent, fullAfter.Video.Packets - fullBefore.Video.Packets, tolerance: 25);
            for (int i = 0; i < Counting; i++)
            {
                (SfuBot bot, CountingSubscriber counting) = subscribers[i];
                var after = Counts(bot, counting);

                // SSRCs right: exactly the ones the server announced to this subscriber (it numbers
                // every down-track afresh), one audio and one video; nothing else arrived.
                var announced = bot.RemoteTracks.Select(t => (t.Kind, t.Ssrc)).Order().ToList();
                Assert.Equal([MediaKind.Audio, MediaKind.Video], announced.Select(t => t.Kind).Order());
                Assert.Equal(announced.Select(t => t.Ssrc).Order(), counting.Counter.Ssrcs().Order());
                Assert.Equal(0, counting.Counter.Malformed);
                Assert.Equal(0, bot.ReceiveErrors);

                AssertCounted("audio", audioSent, after.Audio.Packets - before[i].Audio.Packets, tolerance: 5);
                AssertCounted("video", videoSent, after.Video.Packets - before[i].Video.Packets, tolerance: 25);

                // Loss from sequence gaps: none on loopback.
                Assert.Equal(after.Audio.Expected, after.Audio.Packets);
                Assert.Equal(after.Video.Expected, after.Video.Packets);
            }
        }
        finally
        {
            foreach ((SfuBot bot, _) in subscribers)
            {
                await bot.DisposeAsync();
            }

            await full.DisposeAsync();
            await publisher.DisposeAsync();
        }

        Assert.Equal(0, reader.Count);
    }

    private static void AssertCounted(string kind, long sent, long counted, int tolerance)
        => Assert.True(
            counted >= sent && counted <= sent + tolerance,
            $"{kind}: the publisher sent {sent} packets in the window, a counting subscriber counted {counted} (in flight at the start: up to {tolerance})");

    /// <summary>Per kind, packets and expected packets: from the counter, or from a full bot's decrypted statistics.</summary>
    private static ((long Packets, long Expected) Audio, (long Packets, long Expected) Video) Counts(SfuBot bot, CountingSubscriber? counting)
    {
        (long, long) Of(MediaKind kind)
        {
            RemoteTrack track = bot.RemoteTracks.Single(t => t.Kind == kind);
            if (counting is not null)
            {
                return counting.Counter.Get(track.Ssrc);
            }

            RemoteTrackStats stats = track.GetStats();
            return (stats.PacketsReceived, stats.PacketsExpected);
        }

        return (Of(MediaKind.Audio), Of(MediaKind.Video));
    }

    private static SfuBotOptions Options(string name, bool publish) => new()
    {
        Room = "counting",
        Name = name,
        PublishAudio = publish,
        PublishVideo = publish,
        VideoBitrate = 1_000_000,
        DecodeAudio = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    };
}
