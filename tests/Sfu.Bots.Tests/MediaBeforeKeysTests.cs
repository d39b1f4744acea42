using Sfu.Core;
using MediaKind = Sfu.Core.MediaKind;

namespace Sfu.Bots.Tests;

/// <summary>
/// The SFU, as DTLS server, forwards as soon as it has sent the handshake's last flight; a bot
/// that takes its keys late (a loaded machine) must still read those first packets, or the
/// start of the first key frame is lost where no sequence number shows it and every delta frame
/// after it counts against the SFU.
/// </summary>
public sealed class MediaBeforeKeysTests(SfuServerFixture server) : IClassFixture<SfuServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task What_arrives_before_the_keys_is_read_once_they_are_there_first_key_frame_included()
    {
        string room = "early-" + Guid.NewGuid().ToString("N")[..8];

        // Key frames only when asked for: the one the SFU asks for when the subscriber connects
        // is the only one in the next 10 s, so losing it would leave every frame undecodable.
        await using SfuBot publisher = await SfuBot.ConnectAsync(
            server.Url,
            new SfuBotOptions { Room = room, Name = "publisher", PublishAudio = false, KeyframeInterval = 300 },
            TestContext.Current.CancellationToken);
        await using SfuBot subscriber = await SfuBot.ConnectAsync(
            server.Url,
            new SfuBotOptions { Room = room, Name = "late-keys", PublishAudio = false, PublishVideo = false, KeysDelay = TimeSpan.FromMilliseconds(300) },
            TestContext.Current.CancellationToken);

        Assert.True(await subscriber.WaitUntilAsync(b => b.RemoteTracks.Any(t => t.Kind == MediaKind.Video && t.GetStats().FramesReceived >= 30), Patience), Describe(subscriber));
        RemoteTrackStats stats = subscriber.RemoteTracks.Single(t => t.Kind == MediaKind.Video).GetStats();

        // The delay did what it is for: packets came before the keys, none was dropped.
        Assert.True(subscriber.SrtpBeforeKeys > 0, Describe(subscriber));
        Assert.True(subscriber.SrtpDroppedBeforeKeys == 0, Describe(subscriber));
        Assert.True(stats.KeyframesReceived >= 1 && stats.FramesWithoutReference == 0, Describe(subscriber));
        Assert.True(stats.PacketsLost == 0 && stats.LatePackets == 0, Describe(subscriber));
        Assert.Equal(0, subscriber.ReceiveErrors);
    }

    private static string Describe(SfuBot bot)
        => $"before keys {bot.SrtpBeforeKeys} (dropped {bot.SrtpDroppedBeforeKeys}), errors {bot.ReceiveErrors}, unknown {bot.UnknownSsrcPackets}: "
            + string.Join("; ", bot.RemoteTracks.Select(t => t.GetStats().ToString()));
}
