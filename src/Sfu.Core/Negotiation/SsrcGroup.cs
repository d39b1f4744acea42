namespace Sfu.Core.Negotiation;

/// <summary>
/// a=ssrc-group:&lt;semantics&gt; &lt;ssrc&gt;... (RFC 5576 §4.2). "FID" pairs a media SSRC with its RTX
/// SSRC (RFC 4588 §8.1); "SIM" lists legacy simulcast layers.
/// </summary>
public sealed record SsrcGroup(string Semantics, IReadOnlyList<uint> Ssrcs);
