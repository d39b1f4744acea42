namespace Sfu.Core.Negotiation;

/// <summary>
/// One m= section of a server-initiated offer (RFC 8829 §5.2.2 subsequent offers): existing sections
/// keep their mid and position, new ones are appended, a stopped one is marked <see cref="Rejected"/>
/// (written with port 0 and left out of BUNDLE, RFC 8843 §7.3.3).
/// </summary>
/// <param name="Codecs">Codecs with their payload types, normally those negotiated earlier for this kind.</param>
/// <param name="Stream">What the SFU sends in this section, if anything; written only when Direction includes sending.</param>
/// <param name="ReceiveRids">
/// The simulcast streams the SFU receives in this section, lowest first (a publisher's layers):
/// written as a=rid recv and a=simulcast:recv, or a re-offer without them would end simulcast.
/// </param>
public sealed record OfferSection(
    string Mid,
    MediaKind Kind,
    MediaDirection Direction,
    IReadOnlyList<RtpCodec> Codecs,
    IReadOnlyList<HeaderExtension> Extensions,
    SendStream? Stream = null,
    bool Rejected = false,
    IReadOnlyList<string>? ReceiveRids = null);
