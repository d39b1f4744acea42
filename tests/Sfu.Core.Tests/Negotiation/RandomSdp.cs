using System.Globalization;
using Sfu.Core.Negotiation;

namespace Sfu.Core.Tests.Negotiation;

/// <summary>Builds random but valid models from a seeded <see cref="Random"/> for round-trip checks.</summary>
internal static class RandomSdp
{
    private static readonly string[] Names = ["opus", "VP8", "VP9", "H264", "rtx", "red", "AV1", "telephone-event"];
    private static readonly string[] Feedback = ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"];

    public static SessionDescription Create(Random r)
    {
        var sdp = new SessionDescription
        {
            OriginUsername = r.Next(2) == 0 ? "-" : Token(r),
            SessionId = (ulong)r.NextInt64(),
            SessionVersion = (ulong)r.Next(),
            IceLite = r.Next(2) == 0,
            IceUfrag = Maybe(r, Token),
            Fingerprint = r.Next(3) == 0 ? new Fingerprint("sha-256", Token(r)) : null,
            Setup = r.Next(3) == 0 ? (DtlsSetup)r.Next(4) : null,
            MsidSemantic = r.Next(2) == 0 ? new MsidSemantic("WMS", r.Next(2) == 0 ? [] : [Token(r)]) : null,
        };
        if (r.Next(3) == 0)
        {
            sdp.Attributes.Add(new SdpAttribute(Token(r), Maybe(r, Token)));
        }

        int count = r.Next(0, 4);
        var mids = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string mid = i.ToString(CultureInfo.InvariantCulture);
            mids.Add(mid);
            sdp.Media.Add(Media(r, mid));
        }

        sdp.Groups.Add(new SdpGroup("BUNDLE", mids.ToArray()));
        return sdp;
    }

    private static MediaDescription Media(Random r, string mid)
    {
        bool video = r.Next(2) == 0;
        var m = new MediaDescription
        {
            Kind = video ? MediaKind.Video : MediaKind.Audio,
            KindRaw = video ? "video" : "audio",
            Port = r.Next(0, 65536),
            Connection = ConnectionData.ForAddress(r.Next(2) == 0 ? "10.0.0.1" : "2001:db8::1"),
            Mid = mid,
            Direction = r.Next(5) == 0 ? null : (MediaDirection)r.Next(4),
            IceUfrag = Token(r),
            IcePwd = Token(r),
            Setup = (DtlsSetup)r.Next(4),
            RtcpMux = r.Next(2) == 0,
            RtcpRsize = r.Next(2) == 0,
            EndOfCandidates = r.Next(2) == 0,
            Simulcast = r.Next(4) == 0 ? "send a;b" : null,
        };
        var used = new HashSet<int>();
        int codecs = r.Next(1, 6);
        for (int i = 0; i < codecs; i++)
        {
            int pt = r.Next(0, 128);
            if (!used.Add(pt))
            {
                continue;
            }

            var codec = new RtpCodec
            {
                PayloadType = pt,
                Name = Names[r.Next(Names.Length)],
                ClockRate = r.Next(2) == 0 ? 90000 : 48000,
                Channels = r.Next(3) == 0 ? r.Next(1, 3) : null,
                Fmtp = r.Next(2) == 0 ? "apt=" + r.Next(128).ToString(CultureInfo.InvariantCulture) + ";x=y" : null,
            };
            for (int f = r.Next(3); f > 0; f--)
            {
                codec.RtcpFeedback.Add(Feedback[r.Next(Feedback.Length)]);
            }

            m.Codecs.Add(codec);
            m.Formats.Add(pt.ToString(CultureInfo.InvariantCulture));
        }

        for (int i = r.Next(3); i > 0; i--)
        {
            m.Extensions.Add(new HeaderExtension(m.Extensions.Count + 1, "urn:x:" + Token(r), r.Next(3) == 0 ? (MediaDirection)r.Next(4) : null));
        }

        if (r.Next(2) == 0)
        {
            m.Msids.Add(new MsidAttribute(Token(r), Maybe(r, Token)));
            uint ssrc = (uint)r.NextInt64(0, uint.MaxValue + 1L);
            m.Ssrcs.Add(new SsrcAttribute(ssrc, "cname", Token(r)));
            m.Ssrcs.Add(new SsrcAttribute(ssrc, "label", null));
            m.SsrcGroups.Add(new SsrcGroup("FID", [ssrc, ssrc ^ 1]));
        }

        if (r.Next(3) == 0)
        {
            m.Rids.Add(new RidAttribute("h", RidDirection.Send, r.Next(2) == 0 ? "max-width=1280;max-height=720" : null));
            m.Rids.Add(new RidAttribute("l", RidDirection.Recv, null));
        }

        for (int i = r.Next(3); i > 0; i--)
        {
            m.Candidates.Add(new IceCandidate(Token(r), r.Next(1, 3), "udp", (uint)r.NextInt64(0, uint.MaxValue + 1L), "192.0.2." + r.Next(256).ToString(CultureInfo.InvariantCulture), r.Next(65536), "host", r.Next(2) == 0 ? "generation 0" : null));
        }

        if (r.Next(3) == 0)
        {
            m.Attributes.Add(new SdpAttribute(Token(r), Maybe(r, Token)));
        }

        return m;
    }

    private static string? Maybe(Random r, Func<Random, string> make) => r.Next(2) == 0 ? make(r) : null;

    private static string Token(Random r)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/-_.";
        var chars = new char[r.Next(1, 24)];
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[r.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
