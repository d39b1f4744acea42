using System.Diagnostics;
using Sfu.Bots;
using Sfu.Core;
using Sfu.Core.Diagnostics;
using Sfu.Core.Rtcp;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// A participant that floods the media port with valid SRTP, and one that asks for resends
/// without end. Real UDP peers (full ICE, DTLS-SRTP) against the real server: the flood is
/// dropped at the ingress limit and its sender removed with the reason, while a 1 → 5 room on
/// the same server keeps its packets; a NACK storm makes no more resends than the per-NACK cap
/// and the subscriber's budget allow, counted at the server and at what reached the subscriber.
/// </summary>
[Collection(nameof(HeapMeasuringTests))]
public sealed class MediaFloodTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 120_000)]
    public async Task A_flooding_participant_is_cut_off_and_removed_while_a_one_to_five_room_loses_under_one_percent()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Limits:IngressBreachSeconds=2");
        var url = new Uri(server.BaseUrl);
        await using SfuBot publisher = await SfuBot.ConnectAsync(url, Options("stage", "Publisher"), Cancel);
        SfuBot[] subscribers = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => SfuBot.ConnectAsync(url, Options("stage", $"Viewer{i}", publish: false), Cancel)));
        try
        {
            foreach (SfuBot subscriber in subscribers)
            {
                Assert.True(await subscriber.WaitUntilAsync(b => b.RemoteTracks.Count == 2 && b.RemoteTracks.All(t => t.GetStats().PacketsReceived > 20), TimeSpan.FromSeconds(30)));
            }

            await using SfuBot flooder = await SfuBot.ConnectAsync(url, Options("flood", "Flooder", publish: false), Cancel);
            Assert.True(await flooder.WaitUntilAsync(b => b.IsMediaConnected, TimeSpan.FromSeconds(15)));
            RemoteTrackStats[] before = Stats(subscribers);

            // ~20,000 packets a second (four times the limit) until the server removes it.
            long sent = 0;
            var clock = Stopwatch.StartNew();
            while (flooder.RemovedReason is null && clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                sent += flooder.SendSrtpFlood(100, 200);
                await Task.Delay(5, Cancel);
            }

            await Task.Delay(500, Cancel); // what was in flight for the room arrives
            RemoteTrackStats[] after = Stats(subscribers);
            long expected = after.Sum(s => s.PacketsExpected) - before.Sum(s => s.PacketsExpected);
            long lost = after.Sum(s => s.PacketsLost) - before.Sum(s => s.PacketsLost);

            Assert.NotNull(flooder.RemovedReason);
            Assert.Contains("Too much media", flooder.RemovedReason, StringComparison.Ordinal);
            Assert.Null(server.Engine.Rooms.Find("flood"));
            // What got past the limit reached decryption and was then dropped for its unknown SSRC:
            // at most a window's worth per second, whatever rate the flooder managed on this
            // machine (a share of what it sent would depend on that rate).
            long dropped = server.Engine.Counters.DroppedCount(DropReason.IngressLimit);
            long admitted = server.Engine.Counters.DroppedCount(DropReason.UnknownSsrc);
            long bound = new MediaLimits().IngressPacketsPerSecond * ((long)Math.Ceiling(clock.Elapsed.TotalSeconds) + 1);
            string counts = $"{dropped} dropped at the limit and {admitted} let through of {sent} sent in {clock.Elapsed.TotalSeconds:0.0} s";
            Assert.True(dropped > 0, counts);
            Assert.True(admitted <= bound, $"{counts}; at most {bound} may pass");
            Assert.True(expected > 500, $"the room carried {expected} packets during the flood");
            Assert.True(lost < expected / 100.0, $"the room lost {lost} of {expected} packets during a flood of {sent}");
            Assert.All(subscribers, s => Assert.Null(s.RemovedReason));
        }
        finally
        {
            foreach (SfuBot subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_nack_storm_gets_at_most_the_per_nack_cap_and_the_resend_budget()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        var url = new Uri(server.BaseUrl);
        await using SfuBot publisher = await SfuBot.ConnectAsync(url, Options("repair", "Publisher", videoBitrate: 2_000_000), Cancel);
        await using SfuBot storm = await SfuBot.ConnectAsync(url, Options("repair", "Storm", publish: false), Cancel);
        Assert.True(await storm.WaitUntilAsync(b => b.RemoteTracks.Any(t => t.Kind == MediaKind.Video && t.GetStats().PacketsReceived > 450), TimeSpan.FromSeconds(30)));
        RemoteTrack video = storm.RemoteTracks.Single(t => t.Kind == MediaKind.Video);

        MediaCounters counters = server.Engine.Counters;
        (long nacks0, long resent0, long budget0) = (counters.NacksReceived, counters.PacketsRetransmitted, counters.DroppedCount(DropReason.ResendBudget));
        long received0 = video.GetStats().PacketsReceived;
        long published0 = publisher.GetSendStats().VideoPackets;
        var clock = Stopwatch.StartNew();

        // Every 20 ms, one compound of ten NACKs, each naming the last 400 packets: unbounded,
        // that is thousands of resends a second.
        byte[] compound = new byte[1400];
        ushort[] lost = new ushort[400];
        int compounds = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            ushort highest = video.HighestSequenceNumber;
            for (int i = 0; i < lost.Length; i++)
            {
                lost[i] = (ushort)(highest - lost.Length + 1 + i);
            }

            int length = 0;
            for (int n = 0; n < 10; n++)
            {
                length += GenericNack.TryWrite(compound.AsSpan(length), storm.VideoSsrc, video.Ssrc, lost);
            }

            Assert.True(storm.SendRtcp(compound.AsSpan(0, length)));
            compounds++;
            await Task.Delay(20, Cancel);
        }

        await Task.Delay(300, Cancel);
        double seconds = clock.Elapsed.TotalSeconds;
        long nacks = counters.NacksReceived - nacks0;
        long resent = counters.PacketsRetransmitted - resent0;
        long refused = counters.DroppedCount(DropReason.ResendBudget) - budget0;
        long arrived = video.GetStats().PacketsReceived - received0;
        long published = publisher.GetSendStats().VideoPackets - published0;
        long budget = (long)(500 * (seconds + 1));
        TestContext.Current.SendDiagnosticMessage($"{compounds} compounds, {nacks} NACKs, {resent} resent, {refused} refused, {arrived} arrived of {published} published");

        Assert.True(nacks >= compounds * 10 * 9 / 10, $"{nacks} NACKs counted of {compounds * 10} sent");
        Assert.True(resent > 0, "some packets were resent");
        Assert.True(resent <= 64 * nacks, $"{resent} resends for {nacks} NACKs");
        Assert.True(resent <= budget, $"{resent} resends in {seconds:F1} s; the budget is 500 a second");
        Assert.True(refused > 0, "resends past the budget are counted");

        // What reached the subscriber: its video, and no more resends than the budget.
        Assert.True(arrived <= published + budget, $"{arrived} packets arrived for {published} published");
        Assert.True(arrived >= published * 9 / 10, $"{arrived} packets arrived for {published} published");
    }

    private static SfuBotOptions Options(string room, string name, bool publish = true, int videoBitrate = 500_000) => new()
    {
        Room = room,
        Name = name,
        PublishAudio = publish,
        PublishVideo = publish,
        VideoBitrate = videoBitrate,
        DecodeAudio = false,
    };

    private static RemoteTrackStats[] Stats(SfuBot[] bots) => [.. bots.SelectMany(b => b.RemoteTracks).OrderBy(t => t.Ssrc).Select(t => t.GetStats())];
}
