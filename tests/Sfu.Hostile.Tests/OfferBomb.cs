using System.Globalization;
using System.Text;

namespace Sfu.Hostile.Tests;

/// <summary>Offers a hostile client writes by hand: many sendonly video sections, each announcing a track.</summary>
internal static class OfferBomb
{
    /// <summary>
    /// A well-formed offer of <paramref name="sections"/> sendonly VP8 sections, all bundled,
    /// each with an SSRC: every one of them would be a published video track.
    /// </summary>
    public static string Sendonly(int sections)
    {
        var sdp = new StringBuilder(sections * 120 + 1024);
        sdp.Append("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=group:BUNDLE");
        for (int i = 0; i < sections; i++)
        {
            sdp.Append(' ').Append(i.ToString(CultureInfo.InvariantCulture));
        }

        sdp.Append("\r\na=ice-ufrag:bomb\r\na=ice-pwd:bombbombbombbombbombbomb\r\n")
            .Append("a=fingerprint:sha-256 ").AppendJoin(':', Enumerable.Repeat("AB", 32)).Append("\r\n")
            .Append("a=setup:actpass\r\n");
        for (int i = 0; i < sections; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            sdp.Append("m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:").Append(n)
                .Append("\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=ssrc:").Append((10_000 + i).ToString(CultureInfo.InvariantCulture))
                .Append(" cname:bomb\r\n");
        }

        return sdp.ToString();
    }
}
