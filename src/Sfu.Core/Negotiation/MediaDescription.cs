namespace Sfu.Core.Negotiation;

/// <summary>
/// One m= section (RFC 8866 §5.14) with the attributes JSEP uses (RFC 8829 §5.2.1):
/// <code>
/// m=&lt;media&gt; &lt;port&gt;[/&lt;count&gt;] &lt;proto&gt; &lt;fmt&gt; ...
/// c=IN IP4 &lt;address&gt;
/// a=mid, a=ice-ufrag/pwd/options, a=fingerprint, a=setup, a=extmap, a=&lt;direction&gt;, a=msid,
/// a=rtcp-mux, a=rtcp-rsize, a=rtpmap/fmtp/rtcp-fb, a=ssrc-group, a=ssrc, a=rid, a=simulcast,
/// a=candidate, a=end-of-candidates, ...
/// </code>
/// Attributes the model does not know are kept in <see cref="Attributes"/> in their original order.
/// </summary>
public sealed class MediaDescription
{
    public MediaKind Kind { get; set; }

    /// <summary>The media field as written ("audio", "video", "application", or anything else).</summary>
    public string KindRaw { get; set; } = "audio";

    /// <summary>Port 0 marks a rejected or stopped section (RFC 3264 §6, RFC 8829 §5.2.2).</summary>
    public int Port { get; set; }

    /// <summary>The optional "/&lt;number of ports&gt;" suffix; null when absent.</summary>
    public int? PortCount { get; set; }

    public string Protocol { get; set; } = "UDP/TLS/RTP/SAVPF";

    /// <summary>The &lt;fmt&gt; list in order: payload type numbers for RTP, e.g. "webrtc-datachannel" for SCTP.</summary>
    public IList<string> Formats { get; } = new List<string>();

    public ConnectionData? Connection { get; set; }

    /// <summary>b= values ("AS:2000", "TIAS:...") as written.</summary>
    public IList<string> Bandwidths { get; } = new List<string>();

    /// <summary>i=, k= and similar lines inside this section.</summary>
    public IList<SdpLine> ExtraLines { get; } = new List<SdpLine>();

    public string? Mid { get; set; }

    /// <summary>The direction attribute as written; null when absent, which means sendrecv (RFC 8866 §6.7).</summary>
    public MediaDirection? Direction { get; set; }

    public MediaDirection EffectiveDirection => Direction ?? MediaDirection.SendRecv;

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    public string? IceOptions { get; set; }

    public Fingerprint? Fingerprint { get; set; }

    public DtlsSetup? Setup { get; set; }

    public bool RtcpMux { get; set; }

    public bool RtcpRsize { get; set; }

    /// <summary>
    /// a=bundle-only (RFC 8843 §6): the section is offered only as part of its BUNDLE group, so
    /// it carries port 0 without being rejected. Firefox writes it on every section but the
    /// first of a max-bundle offer, and on every section but the tagged one of a re-offer.
    /// </summary>
    public bool BundleOnly { get; set; }

    /// <summary>a=extmap-allow-mixed (RFC 8285 §6): one-byte and two-byte extension headers may be mixed.</summary>
    public bool ExtmapAllowMixed { get; set; }

    /// <summary>Codecs in m= line order; payload types listed without a=rtpmap (and not static) have no entry.</summary>
    public IList<RtpCodec> Codecs { get; } = new List<RtpCodec>();

    /// <summary>a=rtcp-fb:* entries, which apply to every codec of the section (RFC 4585 §4.2).</summary>
    public IList<string> WildcardRtcpFeedback { get; } = new List<string>();

    public IList<HeaderExtension> Extensions { get; } = new List<HeaderExtension>();

    /// <summary>a=msid lines; JSEP writes one per stream the track belongs to (RFC 8830 §2).</summary>
    public IList<MsidAttribute> Msids { get; } = new List<MsidAttribute>();

    public MsidAttribute? Msid => Msids.Count > 0 ? Msids[0] : null;

    public IList<SsrcAttribute> Ssrcs { get; } = new List<SsrcAttribute>();

    public IList<SsrcGroup> SsrcGroups { get; } = new List<SsrcGroup>();

    public IList<RidAttribute> Rids { get; } = new List<RidAttribute>();

    /// <summary>The a=simulcast value as written, e.g. "send h;m;l" (RFC 8853 §5.1).</summary>
    public string? Simulcast { get; set; }

    public IList<IceCandidate> Candidates { get; } = new List<IceCandidate>();

    public bool EndOfCandidates { get; set; }

    public IList<SdpAttribute> Attributes { get; } = new List<SdpAttribute>();

    /// <summary>
    /// Port 0 rejects or stops a section (RFC 3264 §6), except with a=bundle-only, where it
    /// means "only inside the BUNDLE group" (RFC 8843 §6, which updates RFC 3264 for this case).
    /// </summary>
    public bool IsRejected => Port == 0 && !BundleOnly;

    public RtpCodec? FindCodec(int payloadType)
    {
        foreach (RtpCodec codec in Codecs)
        {
            if (codec.PayloadType == payloadType)
            {
                return codec;
            }
        }

        return null;
    }

    /// <summary>The RTX codec whose apt= names <paramref name="payloadType"/> (RFC 4588 §8.6), if any.</summary>
    public RtpCodec? FindRtxFor(int payloadType)
    {
        foreach (RtpCodec codec in Codecs)
        {
            if (codec.IsRtx && codec.AssociatedPayloadType == payloadType)
            {
                return codec;
            }
        }

        return null;
    }

    /// <summary>The id the offerer bound to an extension URI, or null.</summary>
    public HeaderExtension? FindExtension(string uri)
    {
        foreach (HeaderExtension ext in Extensions)
        {
            if (string.Equals(ext.Uri, uri, StringComparison.OrdinalIgnoreCase))
            {
                return ext;
            }
        }

        return null;
    }
}
