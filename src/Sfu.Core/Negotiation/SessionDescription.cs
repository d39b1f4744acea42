namespace Sfu.Core.Negotiation;

/// <summary>
/// A whole SDP (RFC 8866 §5) as JSEP uses it (RFC 8829 §5.2.1):
/// <code>
/// v=0
/// o=&lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt; IN IP4 &lt;address&gt;
/// s=-
/// t=0 0
/// a=group:BUNDLE 0 1 ...
/// a=msid-semantic: WMS
/// a=ice-lite            (ours only, RFC 8839 §5.3)
/// m=... (one <see cref="MediaDescription"/> per section)
/// </code>
/// Session-level ICE/DTLS attributes are optional; browsers repeat them in every m= section.
/// </summary>
public sealed class SessionDescription
{
    public string OriginUsername { get; set; } = "-";

    public ulong SessionId { get; set; }

    public ulong SessionVersion { get; set; }

    public string OriginNetworkType { get; set; } = "IN";

    public string OriginAddressType { get; set; } = "IP4";

    public string OriginAddress { get; set; } = "127.0.0.1";

    public string SessionName { get; set; } = "-";

    /// <summary>The t= value; JSEP always writes "0 0" (RFC 8829 §5.2.1).</summary>
    public string Timing { get; set; } = "0 0";

    public ConnectionData? Connection { get; set; }

    public IList<string> Bandwidths { get; } = new List<string>();

    /// <summary>i=, u=, e=, p=, r=, z=, k= lines at session level.</summary>
    public IList<SdpLine> ExtraLines { get; } = new List<SdpLine>();

    public bool IceLite { get; set; }

    /// <summary>Session-level a=extmap-allow-mixed (RFC 8285 §6): one-byte and two-byte header extensions may be mixed in every section.</summary>
    public bool ExtmapAllowMixed { get; set; }

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    public string? IceOptions { get; set; }

    public Fingerprint? Fingerprint { get; set; }

    public DtlsSetup? Setup { get; set; }

    public IList<SdpGroup> Groups { get; } = new List<SdpGroup>();

    public MsidSemantic? MsidSemantic { get; set; }

    public IList<SdpAttribute> Attributes { get; } = new List<SdpAttribute>();

    public IList<MediaDescription> Media { get; } = new List<MediaDescription>();

    /// <summary>The first a=group:BUNDLE (RFC 8843 §7.1), or null.</summary>
    public SdpGroup? BundleGroup
    {
        get
        {
            foreach (SdpGroup group in Groups)
            {
                if (group.IsBundle)
                {
                    return group;
                }
            }

            return null;
        }
    }

    public MediaDescription? FindMedia(string mid)
    {
        foreach (MediaDescription media in Media)
        {
            if (string.Equals(media.Mid, mid, StringComparison.Ordinal))
            {
                return media;
            }
        }

        return null;
    }
}
