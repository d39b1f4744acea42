using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using MediaKind = Sfu.Core.MediaKind;

namespace Sfu.Bots.Tests;

/// <summary>Two bots in one room against the real server, over real UDP on loopback.</summary>
public sealed class TwoBotCallTests(SfuServerFixture server) : IClassFixture<SfuServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Two_bots_receive_each_others_audio_and_video_without_loss()
    {
        (SfuBot a, SfuBot b) = await ConnectPairAsync("call", 440, 660);
        await using (a)
        await using (b)
        {
            Assert.True(await a.WaitUntilAsync(Flowing(audio: 100, frames: 45), Patience), Describe(a));
            Assert.True(await b.WaitUntilAsync(Flowing(audio: 100, frames: 45), Patience), Describe(b));

            foreach (SfuBot bot in new[] { a, b })
            {
                Assert.Equal(2, bot.RemoteTracks.Count);
                Assert.Equal(0, bot.ReceiveErrors);
                foreach (RemoteTrack track in bot.RemoteTracks)
                {
                    RemoteTrackStats stats = track.GetStats();
                    Assert.Equal(0, stats.PacketsLost);
                    Assert.True(stats.LatencySamples > 0, $"no latency samples on {stats}");
                    Assert.InRange(stats.LatencyP50Milliseconds, 0, 50);
                    Assert.InRange(stats.LatencyP99Milliseconds, 0, 250);
                    Assert.InRange(stats.JitterMilliseconds, 0, 50);
                    if (stats.Kind == MediaKind.Video)
                    {
                        Assert.True(stats.KeyframesReceived >= 1, $"video never started on a key frame: {stats}");
                    }
                }
            }

            // Each bot hears the other's tone, not its own.
            Assert.InRange(AudioFrom(a).DominantFrequency(), 650, 670);
            Assert.InRange(AudioFrom(b).DominantFrequency(), 430, 450);

            // Consent freshness runs (RFC 7675 §5.1): each bot's first check goes out a random
            // 2 to 5 s after nomination (SfuBotOptions.ConsentIntervalMin/Max) and the server
            // must answer it. Waits only until the answer is in.
            TimeSpan firstConsent = new SfuBotOptions().ConsentIntervalMax + Patience;
            foreach (SfuBot bot in new[] { a, b })
            {
                Assert.True(await bot.WaitUntilAsync(x => x.ConsentResponses > 0, firstConsent), Describe(bot));
                Assert.True(bot.HasConsent, Describe(bot));
            }
        }
    }

    [Fact]
    public async Task A_bot_replaying_one_encoded_second_of_its_tone_is_heard_as_that_tone_across_the_loop()
    {
        string room = "replay-" + Guid.NewGuid().ToString("N")[..8];
        CancellationToken token = TestContext.Current.CancellationToken;
        await using SfuBot a = await SfuBot.ConnectAsync(server.Url, new SfuBotOptions { Room = room, Name = "a", ToneFrequency = 500, ReplayAudio = true, PublishVideo = false }, token);
        await using SfuBot b = await SfuBot.ConnectAsync(server.Url, new SfuBotOptions { Room = room, Name = "b", ToneFrequency = 660, PublishVideo = false }, token);

        // The loop is 50 frames (one second). Read b's 200 ms analysis window every 40 ms until
        // about two and a half loops have arrived, so several readings straddle a seam.
        Assert.True(await b.WaitUntilAsync(x => x.RemoteTracks.Count == 1 && !double.IsNaN(AudioFrom(x).DominantFrequency()), Patience), Describe(b));
        var readings = new List<double>();
        while (AudioFrom(b).GetStats().PacketsReceived < 130)
        {
            readings.Add(AudioFrom(b).DominantFrequency());
            Assert.True(readings.Count < 200, Describe(b));
            await Task.Delay(40, token);
        }

        Assert.All(readings, f => Assert.InRange(f, 490, 510));
        Assert.Equal(0, AudioFrom(b).GetStats().PacketsLost);
        Assert.InRange(AudioFrom(a).DominantFrequency(), 650, 670);
    }

    [Fact]
    public async Task Corrupted_srtp_and_garbage_from_one_bot_do_not_disturb_the_other()
    {
        (SfuBot a, SfuBot b) = await ConnectPairAsync("garbage", 440, 660);
        await using (a)
        await using (b)
        {
            Assert.True(await b.WaitUntilAsync(Flowing(audio: 25, frames: 10), Patience), Describe(b));
            long authBefore = server.Engine.Counters.DroppedCount(DropReason.SrtpAuth);
            long malformedBefore = server.Engine.Counters.DroppedCount(DropReason.Malformed);
            long audioBefore = AudioFrom(b).GetStats().PacketsReceived;

            var random = new Random(1234);
            byte[] garbage = new byte[200];
            for (int i = 0; i < 10; i++)
            {
                Assert.True(a.SendCorruptedSrtp());
                random.NextBytes(garbage);
                garbage[0] = 0xFF; // Not STUN, DTLS or RTP (RFC 7983 §7): unclassifiable.
                Assert.True(a.SendRawDatagram(garbage));
                garbage[0] = 0x00; // Looks like STUN but is not a valid message.
                Assert.True(a.SendRawDatagram(garbage));
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            // Reception continues for a good while afterwards, with nothing lost.
            Assert.True(await b.WaitUntilAsync(bot => AudioFrom(bot).GetStats().PacketsReceived >= audioBefore + 50, Patience));
            Assert.True(server.Engine.Counters.DroppedCount(DropReason.SrtpAuth) >= authBefore + 10);
            Assert.True(server.Engine.Counters.DroppedCount(DropReason.Malformed) >= malformedBefore + 20);
            foreach (SfuBot bot in new[] { a, b })
            {
                Assert.Null(bot.RemovedReason);
                foreach (RemoteTrack track in bot.RemoteTracks)
                {
                    Assert.Equal(0, track.GetStats().PacketsLost);
                }
            }

            Assert.True(await a.WaitUntilAsync(bot => AudioFrom(bot).GetStats().PacketsReceived >= 75, Patience));
        }
    }

    [Fact]
    public async Task Pli_from_one_bot_makes_the_other_send_a_keyframe()
    {
        // No scheduled key frames: any new one must answer our PLI.
        (SfuBot a, SfuBot b) = await ConnectPairAsync("pli", 440, 660, keyframeInterval: 1_000_000);
        await using (a)
        await using (b)
        {
            Assert.True(await b.WaitUntilAsync(Flowing(audio: 10, frames: 10), Patience), Describe(b));

            // Let the server's own start-up key frame requests (rate limited to one per 300 ms) settle.
            await Task.Delay(700, TestContext.Current.CancellationToken);
            RemoteTrack video = VideoFrom(b);
            long keyframesBefore = video.GetStats().KeyframesReceived;
            long requestsBefore = a.GetSendStats().KeyframeRequestsReceived;
            long sentBefore = a.GetSendStats().Keyframes;
            await Task.Delay(500, TestContext.Current.CancellationToken);
            Assert.Equal(keyframesBefore, video.GetStats().KeyframesReceived);

            Assert.True(b.SendPictureLossIndication(video));

            Assert.True(await b.WaitUntilAsync(_ => video.GetStats().KeyframesReceived > keyframesBefore, TimeSpan.FromSeconds(3)));
            Assert.True(a.GetSendStats().KeyframeRequestsReceived > requestsBefore);
            Assert.True(a.GetSendStats().Keyframes > sentBefore);
        }
    }

    [Fact]
    public async Task A_bot_over_ice_tcp_and_one_over_udp_hear_and_see_each_other()
    {
        (SfuBot a, SfuBot b) = await ConnectPairAsync("ice-tcp", 440, 660, transportA: TransportProtocol.Tcp);
        await using (a)
        await using (b)
        {
            Assert.True(await a.WaitUntilAsync(Flowing(audio: 50, frames: 20), Patience), Describe(a));
            Assert.True(await b.WaitUntilAsync(Flowing(audio: 50, frames: 20), Patience), Describe(b));

            // The server selected a TCP pair for a and a UDP one for b; a's datagrams all came as RFC 4571 frames.
            Room room = server.Engine.Rooms.Rooms.Single(r => r.Participants.Any(p => p.Id == a.ParticipantId));
            Assert.Equal(TransportProtocol.Tcp, room.Participants.Single(p => p.Id == a.ParticipantId).Transport.SelectedProtocol);
            Assert.Equal(TransportProtocol.Udp, room.Participants.Single(p => p.Id == b.ParticipantId).Transport.SelectedProtocol);
            Assert.True(a.TcpFramesReceived > 70, $"{a.TcpFramesReceived} TCP frames");
            Assert.Equal(0, b.TcpFramesReceived);

            // What crossed TCP is the other's media: each hears the other's tone, without loss.
            Assert.InRange(AudioFrom(a).DominantFrequency(), 650, 670);
            Assert.InRange(AudioFrom(b).DominantFrequency(), 430, 450);
            foreach (SfuBot bot in new[] { a, b })
            {
                Assert.All(bot.RemoteTracks, t => Assert.Equal(0, t.GetStats().PacketsLost));
            }
        }
    }

    private async Task<(SfuBot A, SfuBot B)> ConnectPairAsync(string room, double toneA, double toneB, int keyframeInterval = 60, TransportProtocol transportA = TransportProtocol.Udp)
    {
        room += "-" + Guid.NewGuid().ToString("N")[..8];
        CancellationToken token = TestContext.Current.CancellationToken;
        SfuBot a = await SfuBot.ConnectAsync(server.Url, new SfuBotOptions { Room = room, Name = "a", ToneFrequency = toneA, KeyframeInterval = keyframeInterval, Transport = transportA }, token);
        SfuBot b = await SfuBot.ConnectAsync(server.Url, new SfuBotOptions { Room = room, Name = "b", ToneFrequency = toneB, KeyframeInterval = keyframeInterval }, token);
        return (a, b);
    }

    private static Func<SfuBot, bool> Flowing(long audio, long frames) => bot =>
    {
        IReadOnlyList<RemoteTrack> tracks = bot.RemoteTracks;
        if (tracks.Count < 2)
        {
            return false;
        }

        foreach (RemoteTrack track in tracks)
        {
            RemoteTrackStats stats = track.GetStats();
            if (track.Kind == MediaKind.Audio ? stats.PacketsReceived < audio : stats.FramesReceived < frames)
            {
                return false;
            }
        }

        // Enough decoded audio for a 200 ms tone analysis.
        return !double.IsNaN(AudioFrom(bot).DominantFrequency());
    };

    private static RemoteTrack AudioFrom(SfuBot bot) => bot.RemoteTracks.Single(t => t.Kind == MediaKind.Audio);

    private static RemoteTrack VideoFrom(SfuBot bot) => bot.RemoteTracks.Single(t => t.Kind == MediaKind.Video);

    private static string Describe(SfuBot bot)
        => $"{bot.ParticipantId}: connected={bot.IsMediaConnected} consentResponses={bot.ConsentResponses} errors={bot.ReceiveErrors} unknown={bot.UnknownSsrcPackets} negotiationErrors={bot.NegotiationErrors} sent={bot.GetSendStats()} tracks=[{string.Join("; ", bot.RemoteTracks.Select(t => t.GetStats().ToString()))}]";
}
