using Sfu.Core.Negotiation;

namespace Sfu.Core.Tests.Negotiation;

public class MediaCapabilitiesTests
{
    [Theory]
    // kind, name, clock, channels, fmtp, expected match
    [InlineData(MediaKind.Audio, "opus", 48000, 2, "minptime=10;useinbandfec=1", "opus")]
    [InlineData(MediaKind.Audio, "OPUS", 48000, 2, null, "opus")] // names compare case-insensitively (RFC 4855 §3)
    [InlineData(MediaKind.Audio, "opus", 48000, null, null, null)] // missing channels means 1
    [InlineData(MediaKind.Audio, "opus", 16000, 2, null, null)] // wrong clock
    [InlineData(MediaKind.Video, "opus", 48000, 2, null, null)] // wrong kind
    [InlineData(MediaKind.Video, "VP8", 90000, null, null, "VP8")]
    [InlineData(MediaKind.Video, "VP9", 90000, null, "profile-id=0", "VP9")]
    [InlineData(MediaKind.Video, "VP9", 90000, null, "profile-id=2", "VP9")] // any profile, echoed
    [InlineData(MediaKind.Video, "AV1", 90000, null, null, "AV1")]
    [InlineData(MediaKind.Video, "VP9", 48000, null, null, null)] // wrong clock
    [InlineData(MediaKind.Video, "H264", 90000, null, "profile-level-id=42e01f;packetization-mode=1", "H264")]
    [InlineData(MediaKind.Video, "H264", 90000, null, "profile-level-id=640c1f;packetization-mode=1", "H264")] // any profile
    [InlineData(MediaKind.Video, "H264", 90000, null, "profile-level-id=42e01f;packetization-mode=0", "H264")] // single NAL unit mode
    [InlineData(MediaKind.Video, "H264", 90000, null, "profile-level-id=42e01f", "H264")] // absent means mode 0 (RFC 6184 §8.1)
    [InlineData(MediaKind.Video, "H264", 90000, null, "profile-level-id=42e01f;packetization-mode=2", null)] // interleaved: not read
    [InlineData(MediaKind.Video, "rtx", 90000, null, "apt=96", null)] // rtx is paired, never matched alone
    public void Default_policy(MediaKind kind, string name, int clock, int? channels, string? fmtp, string? expected)
    {
        var codec = new RtpCodec { PayloadType = 100, Name = name, ClockRate = clock, Channels = channels, Fmtp = fmtp };
        Assert.Equal(expected, MediaCapabilities.Default.Match(kind, codec)?.Name);
    }

    [Theory]
    [InlineData(MediaCapabilities.AudioLevelUri, true)]
    [InlineData(MediaCapabilities.MidUri, true)]
    [InlineData(MediaCapabilities.AbsSendTimeUri, true)]
    [InlineData("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", true)]
    [InlineData("urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", true)]
    public void Default_extensions(string uri, bool supported) =>
        Assert.Equal(supported, MediaCapabilities.Default.SupportsExtension(uri));
}
