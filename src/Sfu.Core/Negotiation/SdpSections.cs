namespace Sfu.Core.Negotiation;

/// <summary>The parts the answer and offer builders write identically.</summary>
internal static class SdpSections
{
    /// <summary>Host candidate priority for type preference 126, local preference 65535, component 1 (RFC 8445 §5.1.2.1).</summary>
    public const uint HostPriority = 2130706431;

    /// <summary>
    /// Passive TCP host candidate priority: type preference 126, local preference
    /// 2^13 * 4 (passive, RFC 6544 §4.2) + 8191, component 1. Below <see cref="HostPriority"/>,
    /// so a peer that can reach us over UDP prefers it.
    /// </summary>
    public const uint TcpPassiveHostPriority = (126u << 24) | (((4u << 13) + 8191) << 8) | 255;

    /// <summary>v=, o=, s=, t= and a=ice-lite (RFC 8839 §5.3: an ICE-lite agent must say so at session level).</summary>
    public static SessionDescription NewSession(ulong sessionId, ulong sessionVersion) => new()
    {
        OriginUsername = "-",
        SessionId = sessionId,
        SessionVersion = sessionVersion,
        SessionName = "-",
        Timing = "0 0",
        IceLite = true,
        MsidSemantic = new MsidSemantic("WMS", []),
    };

    /// <summary>Ends a session: BUNDLE lists the accepted mids in m= order (RFC 8843 §7.1), omitted when none.</summary>
    public static void AddBundle(SessionDescription session, List<string> mids)
    {
        if (mids.Count > 0)
        {
            session.Groups.Add(new SdpGroup("BUNDLE", mids.ToArray()));
        }
    }

    /// <summary>c=, ICE credentials, fingerprint, setup, rtcp-mux and the single host candidate for a live section.</summary>
    public static void AddTransport(MediaDescription m, LocalTransport transport)
    {
        m.Port = transport.CandidatePort;
        m.Connection = ConnectionData.ForAddress(transport.CandidateAddress);
        m.IceUfrag = transport.IceUfrag;
        m.IcePwd = transport.IcePwd;
        m.Fingerprint = new Fingerprint(transport.FingerprintAlgorithm, transport.Fingerprint);
        m.Setup = transport.Setup;
        m.RtcpMux = true;
        m.Candidates.Add(new IceCandidate("1", 1, "udp", HostPriority, transport.CandidateAddress, transport.CandidatePort, "host"));
        if (transport.TcpCandidatePort > 0)
        {
            m.Candidates.Add(new IceCandidate("2", 1, "tcp", TcpPassiveHostPriority, transport.CandidateAddress, transport.TcpCandidatePort, "host", "tcptype passive"));
        }

        // All candidates are known up front, so the section says so right away (RFC 8840 §8.2).
        m.EndOfCandidates = true;
    }

    /// <summary>A rejected section: port 0, placeholder c=, mid kept so the offerer can match it (RFC 8829 §5.3.1).</summary>
    public static void MarkRejected(MediaDescription m)
    {
        m.Port = 0;
        m.Connection = new ConnectionData("IN", "IP4", "0.0.0.0");
    }

    /// <summary>
    /// a=msid plus the legacy a=ssrc cname/msid lines Chromium still reads (RFC 5576 §4.1, RFC 8830 §2)
    /// and, when an RTX codec is present, a=ssrc-group:FID media rtx (RFC 4588 §8.1).
    /// </summary>
    public static void AddSendStream(MediaDescription m, SendStream stream)
    {
        m.Msids.Add(new MsidAttribute(stream.StreamId, stream.TrackId));
        string msid = stream.StreamId + " " + stream.TrackId;
        bool hasRtx = false;
        foreach (RtpCodec codec in m.Codecs)
        {
            hasRtx |= codec.IsRtx;
        }

        if (hasRtx && stream.RtxSsrc is uint rtx)
        {
            m.SsrcGroups.Add(new SsrcGroup("FID", [stream.Ssrc, rtx]));
            AddSsrc(m, stream.Ssrc, stream.Cname, msid);
            AddSsrc(m, rtx, stream.Cname, msid);
        }
        else
        {
            AddSsrc(m, stream.Ssrc, stream.Cname, msid);
        }
    }

    private static void AddSsrc(MediaDescription m, uint ssrc, string cname, string msid)
    {
        m.Ssrcs.Add(new SsrcAttribute(ssrc, "cname", cname));
        m.Ssrcs.Add(new SsrcAttribute(ssrc, "msid", msid));
    }

    public static string KindToken(MediaKind kind) => kind switch
    {
        MediaKind.Audio => "audio",
        MediaKind.Video => "video",
        MediaKind.Application => "application",
        _ => "unknown",
    };

    public static void SetFormats(MediaDescription m)
    {
        foreach (RtpCodec codec in m.Codecs)
        {
            m.Formats.Add(codec.PayloadType.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
