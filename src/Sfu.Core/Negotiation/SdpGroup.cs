namespace Sfu.Core.Negotiation;

/// <summary>a=group:&lt;semantics&gt; *(SP &lt;mid&gt;) (RFC 5888 §5), e.g. "BUNDLE 0 1" (RFC 8843 §7.1).</summary>
public sealed record SdpGroup(string Semantics, IReadOnlyList<string> Mids)
{
    public bool IsBundle => string.Equals(Semantics, "BUNDLE", StringComparison.OrdinalIgnoreCase);
}
