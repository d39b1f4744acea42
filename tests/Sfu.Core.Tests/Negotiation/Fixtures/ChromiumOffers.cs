namespace Sfu.Core.Tests.Negotiation.Fixtures;

/// <summary>
/// Offers shaped like Chromium 120+ unified-plan output (hand-written: same line order, codec
/// table, extmap ids and attribute spellings; ids, keys and addresses are made up).
/// Source text uses LF; <see cref="SdpText.Crlf"/> gives the CRLF form browsers send.
/// </summary>
internal static class ChromiumOffers
{
    /// <summary>Camera + microphone, sendrecv, after ICE gathering (host + srflx + tcp candidates).</summary>
    public const string AudioVideo = """
        v=0
        o=- 4611731400430051336 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=extmap-allow-mixed
        a=msid-semantic: WMS dd2e1609-6e36-4ab0-91bc-52d9230d977e
        m=audio 54321 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126
        c=IN IP4 192.168.1.20
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:2999745851 1 udp 2122260223 192.168.1.20 54321 typ host generation 0 network-id 1 network-cost 10
        a=candidate:842163049 1 udp 1686052607 203.0.113.77 54321 typ srflx raddr 192.168.1.20 rport 54321 generation 0 network-id 1 network-cost 10
        a=candidate:1598296235 1 tcp 1518280447 192.168.1.20 9 typ host tcptype active generation 0 network-id 1 network-cost 10
        a=ice-ufrag:Kx3n
        a=ice-pwd:Qp4bM2z1cW9eTzYvXk8aLr5u
        a=ice-options:trickle
        a=fingerprint:sha-256 A5:4D:CA:18:25:30:BB:1D:6D:13:2C:DE:D6:23:7B:2E:D9:1E:3F:72:1F:CB:19:71:17:44:94:D6:49:3C:9D:5C
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=sendrecv
        a=msid:dd2e1609-6e36-4ab0-91bc-52d9230d977e 6a50df4d-b4d6-4a3a-8746-9a4d8cdb305f
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        a=rtpmap:63 red/48000/2
        a=fmtp:63 111/111
        a=rtpmap:9 G722/8000
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:13 CN/8000
        a=rtpmap:110 telephone-event/48000
        a=rtpmap:126 telephone-event/8000
        a=ssrc:714537754 cname:hV2q8rXk0aS9tLw1
        a=ssrc:714537754 msid:dd2e1609-6e36-4ab0-91bc-52d9230d977e 6a50df4d-b4d6-4a3a-8746-9a4d8cdb305f
        m=video 54321 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 102 103 104 105 106 107 108 109 127 125 39 40 45 46 112 113 114
        c=IN IP4 192.168.1.20
        a=rtcp:9 IN IP4 0.0.0.0
        a=candidate:2999745851 1 udp 2122260223 192.168.1.20 54321 typ host generation 0 network-id 1 network-cost 10
        a=ice-ufrag:Kx3n
        a=ice-pwd:Qp4bM2z1cW9eTzYvXk8aLr5u
        a=ice-options:trickle
        a=fingerprint:sha-256 A5:4D:CA:18:25:30:BB:1D:6D:13:2C:DE:D6:23:7B:2E:D9:1E:3F:72:1F:CB:19:71:17:44:94:D6:49:3C:9D:5C
        a=setup:actpass
        a=mid:1
        a=extmap:14 urn:ietf:params:rtp-hdrext:toffset
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:13 urn:3gpp:video-orientation
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay
        a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type
        a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing
        a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        a=sendrecv
        a=msid:dd2e1609-6e36-4ab0-91bc-52d9230d977e e25a7605-aec6-4024-9bd8-6d40fc891b4a
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:98 VP9/90000
        a=rtcp-fb:98 goog-remb
        a=rtcp-fb:98 transport-cc
        a=rtcp-fb:98 ccm fir
        a=rtcp-fb:98 nack
        a=rtcp-fb:98 nack pli
        a=fmtp:98 profile-id=0
        a=rtpmap:99 rtx/90000
        a=fmtp:99 apt=98
        a=rtpmap:100 VP9/90000
        a=rtcp-fb:100 goog-remb
        a=rtcp-fb:100 transport-cc
        a=rtcp-fb:100 ccm fir
        a=rtcp-fb:100 nack
        a=rtcp-fb:100 nack pli
        a=fmtp:100 profile-id=2
        a=rtpmap:101 rtx/90000
        a=fmtp:101 apt=100
        a=rtpmap:102 H264/90000
        a=rtcp-fb:102 goog-remb
        a=rtcp-fb:102 transport-cc
        a=rtcp-fb:102 ccm fir
        a=rtcp-fb:102 nack
        a=rtcp-fb:102 nack pli
        a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:103 rtx/90000
        a=fmtp:103 apt=102
        a=rtpmap:104 H264/90000
        a=rtcp-fb:104 goog-remb
        a=rtcp-fb:104 transport-cc
        a=rtcp-fb:104 ccm fir
        a=rtcp-fb:104 nack
        a=rtcp-fb:104 nack pli
        a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f
        a=rtpmap:105 rtx/90000
        a=fmtp:105 apt=104
        a=rtpmap:106 H264/90000
        a=rtcp-fb:106 goog-remb
        a=rtcp-fb:106 transport-cc
        a=rtcp-fb:106 ccm fir
        a=rtcp-fb:106 nack
        a=rtcp-fb:106 nack pli
        a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:107 rtx/90000
        a=fmtp:107 apt=106
        a=rtpmap:108 H264/90000
        a=rtcp-fb:108 goog-remb
        a=rtcp-fb:108 transport-cc
        a=rtcp-fb:108 ccm fir
        a=rtcp-fb:108 nack
        a=rtcp-fb:108 nack pli
        a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f
        a=rtpmap:109 rtx/90000
        a=fmtp:109 apt=108
        a=rtpmap:127 H264/90000
        a=rtcp-fb:127 goog-remb
        a=rtcp-fb:127 transport-cc
        a=rtcp-fb:127 ccm fir
        a=rtcp-fb:127 nack
        a=rtcp-fb:127 nack pli
        a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
        a=rtpmap:125 rtx/90000
        a=fmtp:125 apt=127
        a=rtpmap:39 H264/90000
        a=rtcp-fb:39 goog-remb
        a=rtcp-fb:39 transport-cc
        a=rtcp-fb:39 ccm fir
        a=rtcp-fb:39 nack
        a=rtcp-fb:39 nack pli
        a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f
        a=rtpmap:40 rtx/90000
        a=fmtp:40 apt=39
        a=rtpmap:45 AV1/90000
        a=rtcp-fb:45 goog-remb
        a=rtcp-fb:45 transport-cc
        a=rtcp-fb:45 ccm fir
        a=rtcp-fb:45 nack
        a=rtcp-fb:45 nack pli
        a=fmtp:45 level-idx=5;profile=0;tier=0
        a=rtpmap:46 rtx/90000
        a=fmtp:46 apt=45
        a=rtpmap:112 red/90000
        a=rtpmap:113 rtx/90000
        a=fmtp:113 apt=112
        a=rtpmap:114 ulpfec/90000
        a=ssrc-group:FID 1929245186 1725048950
        a=ssrc:1929245186 cname:hV2q8rXk0aS9tLw1
        a=ssrc:1929245186 msid:dd2e1609-6e36-4ab0-91bc-52d9230d977e e25a7605-aec6-4024-9bd8-6d40fc891b4a
        a=ssrc:1725048950 cname:hV2q8rXk0aS9tLw1
        a=ssrc:1725048950 msid:dd2e1609-6e36-4ab0-91bc-52d9230d977e e25a7605-aec6-4024-9bd8-6d40fc891b4a
        """;

    /// <summary>
    /// Simulcast camera (three rids, no a=ssrc lines: Chromium leaves them out for rid simulcast)
    /// plus a data channel, before gathering (port 9, c=0.0.0.0, no candidates).
    /// </summary>
    public const string SimulcastWithDataChannel = """
        v=0
        o=- 8215906134558120419 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1
        a=extmap-allow-mixed
        a=msid-semantic: WMS 26a2c0bd-3b12-47ff-b52d-df5d616499c9
        m=video 9 UDP/TLS/RTP/SAVPF 96 97 106 107
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:R2fd
        a=ice-pwd:LmZ1b0V6Qk9hZ3N5bXc1cTgr
        a=ice-options:trickle
        a=fingerprint:sha-256 34:60:BE:31:20:1E:69:FE:DA:A0:EE:E8:B9:99:7F:5C:7C:29:99:FD:AF:E5:93:25:3C:D6:54:AF:4D:FA:D7:14
        a=setup:actpass
        a=mid:0
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
        a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
        a=sendonly
        a=msid:26a2c0bd-3b12-47ff-b52d-df5d616499c9 3b618676-26bb-4dbd-ad1c-9af0153e7c2a
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:106 H264/90000
        a=rtcp-fb:106 goog-remb
        a=rtcp-fb:106 transport-cc
        a=rtcp-fb:106 ccm fir
        a=rtcp-fb:106 nack
        a=rtcp-fb:106 nack pli
        a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:107 rtx/90000
        a=fmtp:107 apt=106
        a=rid:q send
        a=rid:h send
        a=rid:f send
        a=simulcast:send q;h;f
        m=application 9 UDP/DTLS/SCTP webrtc-datachannel
        c=IN IP4 0.0.0.0
        a=ice-ufrag:R2fd
        a=ice-pwd:LmZ1b0V6Qk9hZ3N5bXc1cTgr
        a=ice-options:trickle
        a=fingerprint:sha-256 34:60:BE:31:20:1E:69:FE:DA:A0:EE:E8:B9:99:7F:5C:7C:29:99:FD:AF:E5:93:25:3C:D6:54:AF:4D:FA:D7:14
        a=setup:actpass
        a=mid:1
        a=sctp-port:5000
        a=max-message-size:262144
        """;

    /// <summary>
    /// Renegotiation after getDisplayMedia: same session id, version 3, a third m= section for the
    /// screen track (sendonly), camera still sendrecv, microphone muted to recvonly.
    /// </summary>
    public const string ScreenShareRenegotiation = """
        v=0
        o=- 4611731400430051336 3 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0 1 2
        a=extmap-allow-mixed
        a=msid-semantic: WMS dd2e1609-6e36-4ab0-91bc-52d9230d977e 7c26847f-0316-409e-bbbb-e9eaa8948c89
        m=audio 9 UDP/TLS/RTP/SAVPF 111
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:Kx3n
        a=ice-pwd:Qp4bM2z1cW9eTzYvXk8aLr5u
        a=ice-options:trickle
        a=fingerprint:sha-256 A5:4D:CA:18:25:30:BB:1D:6D:13:2C:DE:D6:23:7B:2E:D9:1E:3F:72:1F:CB:19:71:17:44:94:D6:49:3C:9D:5C
        a=setup:actpass
        a=mid:0
        a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=recvonly
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:111 opus/48000/2
        a=rtcp-fb:111 transport-cc
        a=fmtp:111 minptime=10;useinbandfec=1
        m=video 9 UDP/TLS/RTP/SAVPF 96 97
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:Kx3n
        a=ice-pwd:Qp4bM2z1cW9eTzYvXk8aLr5u
        a=ice-options:trickle
        a=fingerprint:sha-256 A5:4D:CA:18:25:30:BB:1D:6D:13:2C:DE:D6:23:7B:2E:D9:1E:3F:72:1F:CB:19:71:17:44:94:D6:49:3C:9D:5C
        a=setup:actpass
        a=mid:1
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=sendrecv
        a=msid:dd2e1609-6e36-4ab0-91bc-52d9230d977e e25a7605-aec6-4024-9bd8-6d40fc891b4a
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=ssrc-group:FID 1929245186 1725048950
        a=ssrc:1929245186 cname:hV2q8rXk0aS9tLw1
        a=ssrc:1929245186 msid:dd2e1609-6e36-4ab0-91bc-52d9230d977e e25a7605-aec6-4024-9bd8-6d40fc891b4a
        a=ssrc:1725048950 cname:hV2q8rXk0aS9tLw1
        a=ssrc:1725048950 msid:dd2e1609-6e36-4ab0-91bc-52d9230d977e e25a7605-aec6-4024-9bd8-6d40fc891b4a
        m=video 9 UDP/TLS/RTP/SAVPF 96 97
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:Kx3n
        a=ice-pwd:Qp4bM2z1cW9eTzYvXk8aLr5u
        a=ice-options:trickle
        a=fingerprint:sha-256 A5:4D:CA:18:25:30:BB:1D:6D:13:2C:DE:D6:23:7B:2E:D9:1E:3F:72:1F:CB:19:71:17:44:94:D6:49:3C:9D:5C
        a=setup:actpass
        a=mid:2
        a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
        a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
        a=sendonly
        a=msid:7c26847f-0316-409e-bbbb-e9eaa8948c89 3b618676-26bb-4dbd-ad1c-9af0153e7c2a
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtcp-fb:96 goog-remb
        a=rtcp-fb:96 transport-cc
        a=rtcp-fb:96 ccm fir
        a=rtcp-fb:96 nack
        a=rtcp-fb:96 nack pli
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=ssrc-group:FID 2359826449 1193309983
        a=ssrc:2359826449 cname:hV2q8rXk0aS9tLw1
        a=ssrc:2359826449 msid:7c26847f-0316-409e-bbbb-e9eaa8948c89 3b618676-26bb-4dbd-ad1c-9af0153e7c2a
        a=ssrc:1193309983 cname:hV2q8rXk0aS9tLw1
        a=ssrc:1193309983 msid:7c26847f-0316-409e-bbbb-e9eaa8948c89 3b618676-26bb-4dbd-ad1c-9af0153e7c2a
        """;
}
