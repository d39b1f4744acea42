using System.Text.Json.Serialization;
using Sfu.Core.Rtp;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>A codec as negotiated on one side: that side's payload type and its RTX pairing.</summary>
public sealed record CodecDescription(byte PayloadType, string Name, int ClockRate, int Channels, string? Fmtp, byte? RtxPayloadType)
{
    /// <summary>Same codec on both sides (RFC 8829 §5.1.2 compares name, clock rate and channels).</summary>
    public bool SameCodecAs(CodecDescription other)
        => string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase)
           && ClockRate == other.ClockRate
           && Channels == other.Channels;
}

/// <summary>A header extension as negotiated on one side (RFC 8285 §5 a=extmap).</summary>
public sealed record ExtensionDescription(byte Id, string Uri);

/// <summary>
/// What a publisher's offer announced for one track it sends: one stream on an SSRC its a=ssrc
/// lines name, or simulcast streams by rid (RFC 8853), lowest resolution first, whose SSRCs
/// are learnt from the first packets that carry each rid. A track relayed from another node
/// carries those learnt SSRCs in <paramref name="LayerSsrcs"/>, one per rid (0 for a layer its
/// node has not seen yet), and the SSRCs its node resends each layer's packets on over the relay
/// (RFC 4588 RTX) in <paramref name="RtxSsrc"/> or, for simulcast, <paramref name="LayerRtxSsrcs"/>.
/// </summary>
public sealed record PublishedTrack(
    string Mid,
    MediaKind Kind,
    uint Ssrc,
    uint? RtxSsrc,
    string TrackId,
    CodecDescription Codec,
    IReadOnlyList<ExtensionDescription> Extensions,
    IReadOnlyList<string>? Rids = null,
    IReadOnlyList<uint>? LayerSsrcs = null,
    IReadOnlyList<uint>? LayerRtxSsrcs = null)
{
    /// <summary>At most this many layers: a producer marks the live ones in one 32-bit mask.</summary>
    public const int MaxLayers = 32;

    public bool IsSimulcast => Rids is { Count: > 0 };

    /// <summary>
    /// What a relayed track must be to enter a room here: one stream on a known SSRC, or at most
    /// <see cref="MaxLayers"/> rids with one SSRC each, at least one known; and a retransmission
    /// SSRC, where one is named, for each layer. No SSRC, media or retransmission, repeated.
    /// </summary>
    [JsonIgnore]
    public bool IsRelayable
    {
        get
        {
            if (!IsSimulcast)
            {
                return Ssrc != 0 && RtxSsrc != Ssrc && LayerRtxSsrcs is null;
            }

            if (Rids!.Count > MaxLayers || LayerSsrcs is not { } ssrcs || ssrcs.Count != Rids.Count
                || (LayerRtxSsrcs is { } rtx && rtx.Count != Rids.Count) || RtxSsrc is not null)
            {
                return false;
            }

            var known = new HashSet<uint>();
            foreach (uint ssrc in ssrcs.Concat(LayerRtxSsrcs ?? []))
            {
                if (ssrc != 0 && !known.Add(ssrc))
                {
                    return false;
                }
            }

            return ssrcs.Any(ssrc => ssrc != 0);
        }
    }

    /// <summary>The SSRC of layer <paramref name="index"/> when known up front (a=ssrc, or the relay's listing), else 0.</summary>
    public uint LayerSsrc(int index) => !IsSimulcast
        ? (index == 0 ? Ssrc : 0)
        : LayerSsrcs is { } ssrcs && index < ssrcs.Count ? ssrcs[index] : 0;

    /// <summary>The SSRC layer <paramref name="index"/>'s retransmissions come on when known up front, else 0.</summary>
    public uint LayerRtxSsrc(int index) => !IsSimulcast
        ? (index == 0 ? RtxSsrc ?? 0 : 0)
        : LayerRtxSsrcs is { } ssrcs && index < ssrcs.Count ? ssrcs[index] : 0;

    /// <summary>The receive stream of one of this track's SSRCs.</summary>
    public RtpStreamParameters StreamParameters(uint ssrc, uint? rtxSsrc) => new(
        ssrc,
        Kind,
        Codec.PayloadType,
        Codec.ClockRate,
        VideoCodecOf(Codec.Name),
        rtxSsrc,
        Codec.RtxPayloadType);

    /// <summary>The id the publisher gave an extension, 0 when it did not negotiate it.</summary>
    public byte ExtensionId(string uri)
    {
        foreach (ExtensionDescription extension in Extensions)
        {
            if (string.Equals(extension.Uri, uri, StringComparison.OrdinalIgnoreCase))
            {
                return extension.Id;
            }
        }

        return 0;
    }

    private static VideoCodecKind VideoCodecOf(string name) => name.ToUpperInvariant() switch
    {
        "VP8" => VideoCodecKind.Vp8,
        "H264" => VideoCodecKind.H264,
        "VP9" => VideoCodecKind.Vp9,
        "AV1" => VideoCodecKind.Av1,
        _ => VideoCodecKind.Unknown,
    };
}
