namespace Sfu.Core.Tests.Negotiation.Fixtures;

/// <summary>
/// Shaped like an offer from werift (a TypeScript WebRTC stack used for bots and tests): opus and
/// VP8 only, candidates already in the description, a=rtcp:9 kept, transport-cc
/// id 3, setup actpass, ssrc lines before the rtpmaps.
/// </summary>
internal static class WeriftOffer
{
    public const string AudioVideo = """
        v=0
        o=- 1709999999999 0 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=extmap-allow-mixed
        a=msid-semantic:WMS *
        m=audio 41234 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 10.0.0.5
        a=ice-ufrag:9b1f
        a=ice-pwd:0c6d2a33e6b04f5fa2f1e1b7
        a=ice-options:trickle
        a=fingerprint:sha-256 34:60:BE:31:20:1E:69:FE:DA:A0:EE:E8:B9:99:7F:5C:7C:29:99:FD:AF:E5:93:25:3C:D6:54:AF:4D:FA:D7:14
        a=setup:actpass
        a=sendrecv
        a=mid:0
        a=msid:werift-stream werift-audio
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc:3794104665 cname:werift-cname
        a=ssrc:3794104665 msid:werift-stream werift-audio
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:2 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=rtpmap:111 opus/48000/2
        a=fmtp:111 minptime=10;useinbandfec=1
        a=candidate:1ac8b09b 1 udp 2130706431 10.0.0.5 41234 typ host
        a=end-of-candidates
        m=video 41234 UDP/TLS/RTP/SAVPF 96 97
        c=IN IP4 10.0.0.5
        a=ice-ufrag:9b1f
        a=ice-pwd:0c6d2a33e6b04f5fa2f1e1b7
        a=ice-options:trickle
        a=fingerprint:sha-256 34:60:BE:31:20:1E:69:FE:DA:A0:EE:E8:B9:99:7F:5C:7C:29:99:FD:AF:E5:93:25:3C:D6:54:AF:4D:FA:D7:14
        a=setup:actpass
        a=sendrecv
        a=mid:1
        a=msid:werift-stream werift-video
        a=rtcp:9 IN IP4 0.0.0.0
        a=rtcp-mux
        a=ssrc-group:FID 2359826449 1193309983
        a=ssrc:2359826449 cname:werift-cname
        a=ssrc:2359826449 msid:werift-stream werift-video
        a=ssrc:1193309983 cname:werift-cname
        a=ssrc:1193309983 msid:werift-stream werift-video
        a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=candidate:1ac8b09b 1 udp 2130706431 10.0.0.5 41234 typ host
        a=end-of-candidates
        """;
}
