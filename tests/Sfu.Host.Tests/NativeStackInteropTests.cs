using System.Text.Json;
using Sfu.Core;
using Sfu.Core.Negotiation;
using Sfu.Testing;

namespace Sfu.Host.Tests;

/// <summary>
/// Media through the server between native WebRTC stacks we did not write, besides werift:
/// libdatachannel (node-datachannel, C++) and libwebrtc outside a browser (@roamhq/wrtc), each
/// publishing and receiving. libdatachannel sends RTP it builds itself, so its receiver checks
/// every payload byte as werift's does; libwebrtc encodes generated frames and a tone, so its
/// receiver checks what it decoded. Every description the server wrote to them is checked with
/// <see cref="SdpRules"/>, and with SFU_WRITE_SDP_FIXTURES=1 theirs join the SDP corpus of the
/// negotiation tests.
/// </summary>
public sealed class NativeStackInteropTests
{
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task A_libdatachannel_peer_and_a_werift_peer_receive_each_others_audio_and_video_byte_for_byte()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using WeriftPeer native = WeriftPeer.Start(server.BaseUrl, "ndc", "native", expectRemotes: 2, lingerMs: 1500, script: WeriftPeer.LibdatachannelScript);
        await using WeriftPeer werift = WeriftPeer.Start(server.BaseUrl, "ndc", "werift", expectRemotes: 2, lingerMs: 1500);

        WeriftReport[] reports = await Task.WhenAll(native.WaitForReportAsync(ReportTimeout), werift.WaitForReportAsync(ReportTimeout));

        WeriftInteropTests.AssertReceivesFrom(reports[0], reports[1], native.Diagnostics);
        WeriftInteropTests.AssertReceivesFrom(reports[1], reports[0], werift.Diagnostics);
        CheckAndKeep(native, "libdatachannel-0.24");
    }

    [Fact]
    public async Task Two_libdatachannel_peers_receive_each_others_audio_and_video_byte_for_byte()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "ndc2", "a", expectRemotes: 2, lingerMs: 1500, script: WeriftPeer.LibdatachannelScript);
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "ndc2", "b", expectRemotes: 2, lingerMs: 1500, script: WeriftPeer.LibdatachannelScript);

        WeriftReport[] reports = await Task.WhenAll(a.WaitForReportAsync(ReportTimeout), b.WaitForReportAsync(ReportTimeout));

        WeriftInteropTests.AssertReceivesFrom(reports[0], reports[1], a.Diagnostics);
        WeriftInteropTests.AssertReceivesFrom(reports[1], reports[0], b.Diagnostics);
        CheckAndKeep(b, null);
    }

    [Fact]
    public async Task Two_libdatachannel_peers_send_each_other_H264_in_single_NAL_unit_mode_byte_for_byte()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "ndc-h264", "a", expectRemotes: 2, lingerMs: 1500, script: WeriftPeer.LibdatachannelScript, extraArgs: "--videoCodec=H264");
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "ndc-h264", "b", expectRemotes: 2, lingerMs: 1500, script: WeriftPeer.LibdatachannelScript, extraArgs: "--videoCodec=H264");

        WeriftReport[] reports = await Task.WhenAll(a.WaitForReportAsync(ReportTimeout), b.WaitForReportAsync(ReportTimeout));

        // Every payload, its one-byte NAL unit header (IDR or non-IDR slice) included, arrived as sent.
        WeriftInteropTests.AssertReceivesFrom(reports[0], reports[1], a.Diagnostics);
        WeriftInteropTests.AssertReceivesFrom(reports[1], reports[0], b.Diagnostics);

        // And it was negotiated as what it is: every server offer that sent one the other's
        // camera named H.264 in packetization-mode 0 (RFC 6184 §8.1) as that section's one
        // video codec. (The last offer may come after the other left, its section inactive.)
        foreach (WeriftPeer peer in new[] { a, b })
        {
            List<MediaDescription> forwarded =
            [
                .. peer.Descriptions
                    .Where(d => d.Side == "remote" && d.Type == "offer")
                    .SelectMany(d => SdpParser.Parse(d.Sdp).Description!.Media)
                    .Where(m => m.Kind == MediaKind.Video && m.EffectiveDirection == MediaDirection.SendOnly),
            ];
            Assert.NotEmpty(forwarded);
            Assert.All(forwarded, m =>
            {
                RtpCodec codec = Assert.Single(m.Codecs, c => !c.IsRtx);
                Assert.Equal("H264", codec.Name, StringComparer.OrdinalIgnoreCase);
                Assert.Equal("0", H264Profile.PacketizationMode(codec.Fmtp));
            });
        }

        CheckAndKeep(a, null);
    }

    [Fact]
    public async Task Two_libwebrtc_peers_decode_each_others_frames_and_hear_each_others_tone()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, "wrtc", "a", expectRemotes: 2, lingerMs: 2000, script: WeriftPeer.LibwebrtcScript);
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, "wrtc", "b", expectRemotes: 2, lingerMs: 2000, script: WeriftPeer.LibwebrtcScript);

        WeriftReport[] reports = await Task.WhenAll(a.WaitForReportAsync(ReportTimeout), b.WaitForReportAsync(ReportTimeout));

        AssertDecodesFrom(reports[0], reports[1], a.Diagnostics);
        AssertDecodesFrom(reports[1], reports[0], b.Diagnostics);
        CheckAndKeep(a, "libwebrtc-wrtc-0.10");
    }

    [Theory]
    [InlineData("VP9")]
    [InlineData("AV1")]
    public async Task Two_libwebrtc_peers_preferring_a_codec_both_offer_send_it_through_the_server_and_decode_it(string codec)
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        string room = "wrtc-" + codec;
        await using WeriftPeer a = WeriftPeer.Start(server.BaseUrl, room, "a", expectRemotes: 2, lingerMs: 2000, script: WeriftPeer.LibwebrtcScript, extraArgs: $"--videoCodec={codec}");
        await using WeriftPeer b = WeriftPeer.Start(server.BaseUrl, room, "b", expectRemotes: 2, lingerMs: 2000, script: WeriftPeer.LibwebrtcScript, extraArgs: $"--videoCodec={codec}");

        WeriftReport[] reports = await Task.WhenAll(a.WaitForReportAsync(ReportTimeout), b.WaitForReportAsync(ReportTimeout));

        Assert.All(reports, r => Assert.Equal("video/" + codec, r.PublishedCodecs?["video"], StringComparer.OrdinalIgnoreCase));
        AssertDecodesFrom(reports[0], reports[1], a.Diagnostics, "video/" + codec);
        AssertDecodesFrom(reports[1], reports[0], b.Diagnostics, "video/" + codec);
        CheckAndKeep(a, null);
    }

    /// <summary>
    /// What libwebrtc decoded came from the publisher: every decoded video frame shows the
    /// publisher's id stripes (tests/interop/frame-pattern.mjs) and many distinct frame
    /// numbers, every non-silent 10 ms of audio has the publisher's tone strongest; each on one
    /// SSRC, the one the server's offer announced for that section, not the publisher's own.
    /// </summary>
    internal static void AssertDecodesFrom(WeriftReport report, WeriftReport publisher, string diagnostics, string videoCodec = "video/VP8")
    {
        Assert.True(report.ConnectionState == "connected", $"{report.ParticipantId} ended {report.ConnectionState}\n{diagnostics}");
        foreach (string kind in new[] { "audio", "video" })
        {
            WeriftTrack? track = report.Tracks.SingleOrDefault(t => t.StreamId == publisher.ParticipantId && t.Kind == kind);
            Assert.True(track is not null, $"{report.ParticipantId} has no {kind} track from {publisher.ParticipantId}\n{diagnostics}");
            string what = $"{report.ParticipantId}'s {kind} track from {publisher.ParticipantId}: {JsonSerializer.Serialize(track)}";
            Assert.True(track.Mismatches == 0, $"{what}\n{diagnostics}");
            Assert.True(track.Verified >= 20, $"{what}\n{diagnostics}");
            if (kind == "video")
            {
                Assert.True(track.DistinctFrames >= 15, what);
            }

            Assert.Equal(kind == "audio" ? "audio/opus" : videoCodec, track.Codec, StringComparer.OrdinalIgnoreCase);
            Assert.True(track.Ssrcs.Count == 1 && track.AnnouncedSsrcs.Count == 1, what);
            KeyValuePair<uint, string> announced = track.AnnouncedSsrcs.Single();
            Assert.True(announced.Key == track.Ssrcs[0] && announced.Value == publisher.ParticipantId, what);
            Assert.True(publisher.PublishedSsrcs[kind] != track.Ssrcs[0], $"{what}: the publisher's own SSRC");
            TestContext.Current.SendDiagnosticMessage($"{report.ParticipantId} <- {publisher.ParticipantId} {kind}: {track.Verified} of {track.Decoded} decoded showed the publisher's pattern ({track.Codec}, SSRC {track.Ssrcs[0]})");
        }
    }

    /// <summary>
    /// Checks every description the server wrote to the peer (its answers against the offer
    /// they answer, its offers alone) and, when asked, keeps the peer's own as corpus fixtures
    /// named <paramref name="corpusName"/>-order-type.sdp.
    /// </summary>
    internal static void CheckAndKeep(WeriftPeer peer, string? corpusName)
    {
        IReadOnlyList<(string Side, string Type, string Sdp)> descriptions = peer.Descriptions;
        Assert.NotEmpty(descriptions);
        string? lastLocalOffer = null;
        var problems = new List<string>();
        foreach ((string side, string type, string sdp) in descriptions)
        {
            if (side == "local" && type == "offer")
            {
                lastLocalOffer = sdp;
            }
            else if (side == "remote")
            {
                problems.AddRange(SdpRules.Check(sdp, type == "answer" ? lastLocalOffer : null).Select(p => $"server {type}: {p}"));
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        if (corpusName is null || Environment.GetEnvironmentVariable("SFU_WRITE_SDP_FIXTURES") != "1")
        {
            return;
        }

        string folder = Path.Combine(WeriftPeer.RepoRoot(), "tests", "Sfu.Core.Tests", "Negotiation", "Fixtures", "Sdp");
        int n = 0;
        foreach ((string side, string type, string sdp) in descriptions.Where(d => d.Side == "local"))
        {
            File.WriteAllText(Path.Combine(folder, $"{corpusName}-{++n}-{type}.sdp"), sdp);
        }
    }
}
