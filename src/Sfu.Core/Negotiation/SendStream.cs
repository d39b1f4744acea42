using System.Diagnostics.CodeAnalysis;

namespace Sfu.Core.Negotiation;

/// <summary>
/// A stream the SFU sends in one m= section: its SSRC, optional RTX SSRC (paired by
/// a=ssrc-group:FID, RFC 4588 §8.1), the RTCP CNAME (RFC 7022) and the msid (RFC 8830 §2).
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "A media stream in the WebRTC sense, not a System.IO.Stream.")]
public sealed record SendStream(uint Ssrc, uint? RtxSsrc, string Cname, string StreamId, string TrackId);
