namespace Sfu.Browser.Tests;

/// <summary>
/// Codecs other than VP8 between Chromium pages: each page puts one codec first in its offers
/// (setCodecPreferences, before the app's own setLocalDescription), the server answers with it because
/// every member offered it (the room's codec choice), and each page decodes the other's video
/// in that codec (inbound-rtp framesDecoded growing, its codec's mimeType).
/// </summary>
public sealed class CodecTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan MediaDeadline = TimeSpan.FromSeconds(40);

    /// <summary>Puts <paramref name="codec"/> first on every video transceiver before each offer the page makes.</summary>
    private static string PreferScript(string codec) => $$"""
        (() => {
          const wanted = 'video/{{codec}}'.toLowerCase();
          const proto = RTCPeerConnection.prototype;
          const setLocal = proto.setLocalDescription;
          proto.setLocalDescription = async function (...args) {
            const codecs = RTCRtpReceiver.getCapabilities('video').codecs;
            const first = codecs.filter((c) => c.mimeType.toLowerCase() === wanted);
            const ordered = [...first, ...codecs.filter((c) => !first.includes(c))];
            for (const t of this.getTransceivers()) {
              if (t.receiver.track.kind === 'video' && !t.stopped) {
                try { t.setCodecPreferences(ordered); } catch (e) { console.warn('setCodecPreferences: ' + e); }
              }
            }
            return setLocal.apply(this, args);
          };
        })();
        """;

    [Theory(Timeout = 180_000)]
    [InlineData("VP9")]
    [InlineData("AV1")]
    public async Task Two_pages_preferring_a_codec_decode_each_others_video_in_it(string codec)
    {
        string room = "codec-" + codec;
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant a = await BrowserParticipant.JoinWithScriptAsync(browser, server, room, "Ada", PreferScript(codec));
        await using BrowserParticipant b = await BrowserParticipant.JoinWithScriptAsync(browser, server, room, "Bo", PreferScript(codec));

        foreach (BrowserParticipant p in new[] { a, b })
        {
            IReadOnlyList<InboundRtpSample> decoding = await Eventually.UntilAsync(
                () => p.GrowingRemoteTracksAsync("video"),
                tracks => tracks.Count == 1,
                MediaDeadline,
                $"{p.Name} to decode the other's video",
                cancel);
            Assert.Equal("video/" + codec, decoding[0].Codec, StringComparer.OrdinalIgnoreCase);
            SdpCorpus.CheckServerDescriptions(await p.DescriptionsAsync());
        }
    }
}
