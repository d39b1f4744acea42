using System.Diagnostics.CodeAnalysis;

namespace Sfu.Core.Negotiation;

/// <summary>
/// An a= line the model has no field for, kept verbatim so that nothing is lost between parse and
/// write (RFC 8866 §5.13: unknown attributes must be ignored, not rejected).
/// Value is null for property attributes ("a=foo"), the text after the first ':' otherwise.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "Named after the SDP a= attribute it models, not a .NET attribute.")]
public sealed record SdpAttribute(string Name, string? Value);
