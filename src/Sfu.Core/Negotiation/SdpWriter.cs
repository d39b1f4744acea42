using System.Globalization;
using System.Text;

namespace Sfu.Core.Negotiation;

/// <summary>
/// Writes a <see cref="SessionDescription"/> as SDP text with CRLF line ends (RFC 8866 §5) in the
/// canonical order: v, o, s, (i/u/e/p...), c, b, t, session attributes, then per m= section
/// m, (i...), c, b and its attributes in the order Chromium writes them (RFC 8829 §5.2.1).
/// Unknown attributes come after the known ones, in their original order.
/// </summary>
public static class SdpWriter
{
    private const string Crlf = "\r\n";

    public static string Write(SessionDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        var sb = new StringBuilder(4096);
        sb.Append("v=0").Append(Crlf);
        Line(sb, 'o', Invariant($"{description.OriginUsername} {description.SessionId} {description.SessionVersion} {description.OriginNetworkType} {description.OriginAddressType} {description.OriginAddress}"));
        Line(sb, 's', description.SessionName);
        foreach (SdpLine extra in description.ExtraLines)
        {
            Line(sb, extra.Type, extra.Value);
        }

        if (description.Connection is { } connection)
        {
            Line(sb, 'c', ConnectionValue(connection));
        }

        foreach (string bandwidth in description.Bandwidths)
        {
            Line(sb, 'b', bandwidth);
        }

        Line(sb, 't', description.Timing);
        foreach (SdpGroup group in description.Groups)
        {
            Attribute(sb, "group", group.Mids.Count == 0 ? group.Semantics : group.Semantics + " " + string.Join(' ', group.Mids));
        }

        if (description.MsidSemantic is { } semantic)
        {
            // Chromium's spelling, with a space after the colon; both browsers accept it.
            Attribute(sb, "msid-semantic", " " + (semantic.Ids.Count == 0 ? semantic.Semantic : semantic.Semantic + " " + string.Join(' ', semantic.Ids)));
        }

        if (description.IceLite)
        {
            Attribute(sb, "ice-lite", null);
        }

        if (description.ExtmapAllowMixed)
        {
            Attribute(sb, "extmap-allow-mixed", null);
        }

        WriteTransport(sb, description.IceUfrag, description.IcePwd, description.IceOptions, description.Fingerprint, description.Setup);
        foreach (SdpAttribute attribute in description.Attributes)
        {
            Attribute(sb, attribute.Name, attribute.Value);
        }

        foreach (MediaDescription media in description.Media)
        {
            WriteMedia(sb, media);
        }

        return sb.ToString();
    }

    private static void WriteMedia(StringBuilder sb, MediaDescription m)
    {
        string port = m.PortCount is int count ? Invariant($"{m.Port}/{count}") : Invariant($"{m.Port}");
        string formats = m.Formats.Count == 0 ? string.Empty : " " + string.Join(' ', m.Formats);
        Line(sb, 'm', $"{m.KindRaw} {port} {m.Protocol}{formats}");
        foreach (SdpLine extra in m.ExtraLines)
        {
            Line(sb, extra.Type, extra.Value);
        }

        if (m.Connection is { } connection)
        {
            Line(sb, 'c', ConnectionValue(connection));
        }

        foreach (string bandwidth in m.Bandwidths)
        {
            Line(sb, 'b', bandwidth);
        }

        foreach (IceCandidate candidate in m.Candidates)
        {
            Attribute(sb, "candidate", candidate.ToAttributeValue());
        }

        WriteTransport(sb, m.IceUfrag, m.IcePwd, m.IceOptions, m.Fingerprint, m.Setup);
        if (m.Mid is not null)
        {
            Attribute(sb, "mid", m.Mid);
        }

        if (m.BundleOnly)
        {
            Attribute(sb, "bundle-only", null);
        }

        if (m.ExtmapAllowMixed)
        {
            Attribute(sb, "extmap-allow-mixed", null);
        }

        foreach (HeaderExtension ext in m.Extensions)
        {
            string id = ext.Direction is MediaDirection d ? Invariant($"{ext.Id}/{DirectionToken(d)}") : Invariant($"{ext.Id}");
            Attribute(sb, "extmap", ext.Attributes is null ? $"{id} {ext.Uri}" : $"{id} {ext.Uri} {ext.Attributes}");
        }

        if (m.Direction is MediaDirection direction)
        {
            Attribute(sb, DirectionToken(direction), null);
        }

        foreach (MsidAttribute msid in m.Msids)
        {
            Attribute(sb, "msid", msid.TrackId is null ? msid.StreamId : msid.StreamId + " " + msid.TrackId);
        }

        if (m.RtcpMux)
        {
            Attribute(sb, "rtcp-mux", null);
        }

        if (m.RtcpRsize)
        {
            Attribute(sb, "rtcp-rsize", null);
        }

        foreach (RtpCodec codec in m.Codecs)
        {
            string pt = Invariant($"{codec.PayloadType}");
            Attribute(sb, "rtpmap", pt + " " + codec.ToRtpmapValue());
            foreach (string fb in codec.RtcpFeedback)
            {
                Attribute(sb, "rtcp-fb", pt + " " + fb);
            }

            if (codec.Fmtp is not null)
            {
                Attribute(sb, "fmtp", pt + " " + codec.Fmtp);
            }
        }

        foreach (string fb in m.WildcardRtcpFeedback)
        {
            Attribute(sb, "rtcp-fb", "* " + fb);
        }

        // RFC 5576 §4.2 has no order rule; Chromium lists groups before the ssrc lines they group.
        foreach (SsrcGroup group in m.SsrcGroups)
        {
            var parts = new string[group.Ssrcs.Count + 1];
            parts[0] = group.Semantics;
            for (int i = 0; i < group.Ssrcs.Count; i++)
            {
                parts[i + 1] = Invariant($"{group.Ssrcs[i]}");
            }

            Attribute(sb, "ssrc-group", string.Join(' ', parts));
        }

        foreach (SsrcAttribute ssrc in m.Ssrcs)
        {
            Attribute(sb, "ssrc", ssrc.Value is null ? Invariant($"{ssrc.Ssrc} {ssrc.Name}") : Invariant($"{ssrc.Ssrc} {ssrc.Name}:{ssrc.Value}"));
        }

        foreach (RidAttribute rid in m.Rids)
        {
            string dir = rid.Direction == RidDirection.Send ? "send" : "recv";
            Attribute(sb, "rid", rid.Parameters is null ? $"{rid.Id} {dir}" : $"{rid.Id} {dir} {rid.Parameters}");
        }

        if (m.Simulcast is not null)
        {
            Attribute(sb, "simulcast", m.Simulcast);
        }

        foreach (SdpAttribute attribute in m.Attributes)
        {
            Attribute(sb, attribute.Name, attribute.Value);
        }

        // RFC 8840 §8.2: end-of-candidates closes the candidate list of the section.
        if (m.EndOfCandidates)
        {
            Attribute(sb, "end-of-candidates", null);
        }
    }

    private static void WriteTransport(StringBuilder sb, string? ufrag, string? pwd, string? options, Fingerprint? fingerprint, DtlsSetup? setup)
    {
        if (ufrag is not null)
        {
            Attribute(sb, "ice-ufrag", ufrag);
        }

        if (pwd is not null)
        {
            Attribute(sb, "ice-pwd", pwd);
        }

        if (options is not null)
        {
            Attribute(sb, "ice-options", options);
        }

        if (fingerprint is not null)
        {
            Attribute(sb, "fingerprint", fingerprint.Algorithm + " " + fingerprint.Value);
        }

        if (setup is DtlsSetup s)
        {
            Attribute(sb, "setup", SetupToken(s));
        }
    }

    internal static string DirectionToken(MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        MediaDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    internal static string SetupToken(DtlsSetup setup) => setup switch
    {
        DtlsSetup.Active => "active",
        DtlsSetup.Passive => "passive",
        DtlsSetup.HoldConn => "holdconn",
        _ => "actpass",
    };

    private static string ConnectionValue(ConnectionData c) => $"{c.NetworkType} {c.AddressType} {c.Address}";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder sb, char type, string value) => sb.Append(type).Append('=').Append(value).Append(Crlf);

    private static void Attribute(StringBuilder sb, string name, string? value)
    {
        sb.Append("a=").Append(name);
        if (value is not null)
        {
            sb.Append(':').Append(value);
        }

        sb.Append(Crlf);
    }
}
