using System.Diagnostics.CodeAnalysis;

namespace Sfu.Core.Negotiation;

/// <summary>a=ssrc:&lt;ssrc&gt; &lt;attribute&gt;[:&lt;value&gt;] (RFC 5576 §4.1), e.g. "cname:xyz" or "msid:stream track".</summary>
[SuppressMessage("Naming", "CA1711", Justification = "Named after the SDP a= attribute it models, not a .NET attribute.")]
public sealed record SsrcAttribute(uint Ssrc, string Name, string? Value);
