using System.Diagnostics.CodeAnalysis;

namespace Sfu.Core.Negotiation;

/// <summary>a=msid:&lt;stream id&gt; [&lt;track id&gt;] (RFC 8830 §2). Chromium writes "-" as stream id for a track without stream.</summary>
[SuppressMessage("Naming", "CA1711", Justification = "Named after the SDP a= attribute it models, not a .NET attribute.")]
public sealed record MsidAttribute(string StreamId, string? TrackId);
