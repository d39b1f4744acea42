using MediaKind = Sfu.Core.MediaKind;

namespace Sfu.Bots.Tests;

/// <summary>Opt-in measurement (run with --explicit only): how many packets per second one bot pair pushes through the SFU.</summary>
public sealed class ThroughputTests(SfuServerFixture server) : IClassFixture<SfuServerFixture>
{
    [Fact(Explicit = true)]
    public async Task Bot_pair_throughput()
    {
        // SFU_BOTS_VIDEO_BITRATE overrides the per-bot video bitrate (default 20 Mbit/s).
        int bitrate = int.TryParse(Environment.GetEnvironmentVariable("SFU_BOTS_VIDEO_BITRATE"), out int b0) ? b0 : 20_000_000;
        string room = "load-" + Guid.NewGuid().ToString("N")[..8];
        CancellationToken token = TestContext.Current.CancellationToken;
        var options = new SfuBotOptions { Room = room, Name = "a", VideoBitrate = bitrate, VideoFrameRate = 30, DecodeAudio = false };
        await using SfuBot a = await SfuBot.ConnectAsync(server.Url, options, token);
        await using SfuBot b = await SfuBot.ConnectAsync(server.Url, new SfuBotOptions { Room = room, Name = "b", VideoBitrate = bitrate, DecodeAudio = false }, token);
        Assert.True(await b.WaitUntilAsync(bot => bot.RemoteTracks.Count == 2 && bot.RemoteTracks.All(t => t.GetStats().PacketsReceived > 0), TimeSpan.FromSeconds(10)));

        long startA = Received(a);
        long startB = Received(b);
        await Task.Delay(3000, token);
        double pps = (Received(a) - startA + Received(b) - startB) / 3.0;
        long lost = a.RemoteTracks.Concat(b.RemoteTracks).Sum(t => t.GetStats().PacketsLost);
        double p99 = b.RemoteTracks.Single(t => t.Kind == MediaKind.Video).GetStats().LatencyP99Milliseconds;
        TestContext.Current.SendDiagnosticMessage($"pair received {pps:F0} packets/s, lost {lost}, video p99 {p99:F1} ms", token);
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "throughput.txt"), $"THROUGHPUT pair received {pps:F0} packets/s, lost {lost}, video p99 {p99:F1} ms", token);
    }

    private static long Received(SfuBot bot) => bot.RemoteTracks.Sum(t => t.GetStats().PacketsReceived);
}
