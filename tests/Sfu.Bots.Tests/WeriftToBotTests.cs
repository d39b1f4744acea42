using Sfu.Host.Tests;
using MediaKind = Sfu.Core.MediaKind;

namespace Sfu.Bots.Tests;

/// <summary>
/// A publisher on werift (tests/interop/werift-peer.mjs), a WebRTC stack we did not write,
/// without simulcast, reaches a bot subscriber through the real server.
/// </summary>
public sealed class WeriftToBotTests(SfuServerFixture server) : IClassFixture<SfuServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_werift_publisher_reaches_a_bot_subscriber_frame_for_frame()
    {
        string room = "werift-bot-" + Guid.NewGuid().ToString("N")[..8];
        await using SfuBot bot = await SfuBot.ConnectAsync(
            server.Url,
            new SfuBotOptions { Room = room, Name = "bot", PublishAudio = false, PublishVideo = false, DecodeAudio = false },
            TestContext.Current.CancellationToken);
        await using WeriftPeer werift = WeriftPeer.Start(server.Url.ToString().TrimEnd('/'), room, "werift", expectRemotes: 0, durationMs: 15_000);
        await werift.WaitForEventAsync("joined-self", Patience);
        string publisherId = werift.Events.First(e => e.GetProperty("event").GetString() == "joined-self").GetProperty("id").GetString()!;

        // werift sends 30 one-packet frames a second, a key frame every 10, declaring 320×240.
        Assert.True(
            await bot.WaitUntilAsync(b => b.RemoteTracks.Count == 2 && b.RemoteTracks.All(t => t.GetStats().PacketsReceived >= 90), Patience),
            werift.Diagnostics + "\nbot: " + string.Join("; ", bot.RemoteTracks.Select(t => t.GetStats())));

        Assert.All(bot.RemoteTracks, t => Assert.Equal(publisherId, t.StreamId));
        RemoteTrackStats video = bot.RemoteTracks.Single(t => t.Kind == MediaKind.Video).GetStats();
        Assert.Equal((320, 240), (video.FrameWidth, video.FrameHeight));
        Assert.True(video.KeyframesReceived >= 5, video.ToString());
        Assert.True(video.PacketsLost == 0 && video.LatePackets == 0, video.ToString());
        Assert.Equal(0, video.FramesWithoutReference);
        Assert.True(video.FramesReceived >= 90, video.ToString());
        RemoteTrackStats audio = bot.RemoteTracks.Single(t => t.Kind == MediaKind.Audio).GetStats();
        Assert.True(audio.PacketsLost == 0 && audio.LatePackets == 0, audio.ToString());
        Assert.Equal(0, bot.ReceiveErrors);
        Assert.Equal(0, bot.UnknownSsrcPackets);
    }
}
