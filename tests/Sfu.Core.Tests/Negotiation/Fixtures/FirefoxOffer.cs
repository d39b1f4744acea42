namespace Sfu.Core.Tests.Negotiation.Fixtures;

/// <summary>
/// Shaped like a Firefox 120 offer: session-level fingerprint and ice-options, attributes sorted
/// alphabetically inside each section (so every a=fmtp comes before its a=rtpmap), "G722/8000/1"
/// with an explicit channel count, extmap directions, and candidates with end-of-candidates.
/// </summary>
internal static class FirefoxOffer
{
    public const string AudioVideo = """
        v=0
        o=mozilla...THIS_IS_SDPARTA-99.0 5117237346208458934 0 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=fingerprint:sha-256 27:A0:AE:B3:FE:E9:23:2F:8A:F2:21:1F:9E:E4:91:C5:B1:0B:EC:B5:56:3B:FC:1E:6F:93:42:7E:CB:C8:FE:29
        a=group:BUNDLE 0 1
        a=ice-options:trickle
        a=msid-semantic:WMS *
        m=audio 50000 UDP/TLS/RTP/SAVPF 109 9 0 8 101
        c=IN IP4 192.168.1.30
        a=candidate:0 1 UDP 2122252543 192.168.1.30 50000 typ host
        a=candidate:1 1 TCP 2105524479 192.168.1.30 9 typ host tcptype active
        a=sendrecv
        a=end-of-candidates
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level
        a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
        a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1
        a=fmtp:101 0-15
        a=ice-pwd:8a2b4cc3f3a8b9e1d0c2f4e6a8b0c2d4
        a=ice-ufrag:5f1c9a0e
        a=mid:0
        a=msid:{6a50df4d-b4d6-4a3a-8746-9a4d8cdb305f} {e25a7605-aec6-4024-9bd8-6d40fc891b4a}
        a=rtcp-mux
        a=rtpmap:109 opus/48000/2
        a=rtpmap:9 G722/8000/1
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000/1
        a=setup:actpass
        a=ssrc:3794104665 cname:{26a2c0bd-3b12-47ff-b52d-df5d616499c9}
        m=video 50000 UDP/TLS/RTP/SAVPF 120 124 121 125 126 127 97 98
        c=IN IP4 192.168.1.30
        a=candidate:0 1 UDP 2122252543 192.168.1.30 50000 typ host
        a=sendrecv
        a=end-of-candidates
        a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1
        a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1
        a=fmtp:120 max-fs=12288;max-fr=60
        a=fmtp:124 apt=120
        a=fmtp:121 max-fs=12288;max-fr=60
        a=fmtp:125 apt=121
        a=fmtp:127 apt=126
        a=fmtp:98 apt=97
        a=ice-pwd:8a2b4cc3f3a8b9e1d0c2f4e6a8b0c2d4
        a=ice-ufrag:5f1c9a0e
        a=mid:1
        a=msid:{6a50df4d-b4d6-4a3a-8746-9a4d8cdb305f} {3b618676-26bb-4dbd-ad1c-9af0153e7c2a}
        a=rtcp-fb:120 nack
        a=rtcp-fb:120 nack pli
        a=rtcp-fb:120 ccm fir
        a=rtcp-fb:120 goog-remb
        a=rtcp-fb:120 transport-cc
        a=rtcp-fb:121 nack
        a=rtcp-fb:121 nack pli
        a=rtcp-fb:121 ccm fir
        a=rtcp-fb:121 goog-remb
        a=rtcp-fb:121 transport-cc
        a=rtcp-fb:126 nack
        a=rtcp-fb:126 nack pli
        a=rtcp-fb:126 ccm fir
        a=rtcp-fb:126 goog-remb
        a=rtcp-fb:126 transport-cc
        a=rtcp-fb:97 nack
        a=rtcp-fb:97 nack pli
        a=rtcp-fb:97 ccm fir
        a=rtcp-fb:97 goog-remb
        a=rtcp-fb:97 transport-cc
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:120 VP8/90000
        a=rtpmap:124 rtx/90000
        a=rtpmap:121 VP9/90000
        a=rtpmap:125 rtx/90000
        a=rtpmap:126 H264/90000
        a=rtpmap:127 rtx/90000
        a=rtpmap:97 H264/90000
        a=rtpmap:98 rtx/90000
        a=setup:actpass
        a=ssrc:1929245186 cname:{26a2c0bd-3b12-47ff-b52d-df5d616499c9}
        a=ssrc:1725048950 cname:{26a2c0bd-3b12-47ff-b52d-df5d616499c9}
        a=ssrc-group:FID 1929245186 1725048950
        """;
}
