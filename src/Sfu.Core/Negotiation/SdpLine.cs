namespace Sfu.Core.Negotiation;

/// <summary>
/// A rarely used line type (i=, u=, e=, p=, r=, z=, k=; RFC 8866 §5) that JSEP ignores but a
/// faithful round trip must keep.
/// </summary>
public sealed record SdpLine(char Type, string Value);
