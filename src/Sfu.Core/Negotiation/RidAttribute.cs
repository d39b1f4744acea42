using System.Diagnostics.CodeAnalysis;

namespace Sfu.Core.Negotiation;

/// <summary>
/// a=rid:&lt;id&gt; &lt;send|recv&gt; [&lt;restrictions&gt;] (RFC 8851 §4), e.g. "h send pt=96;max-width=1280".
/// Parameters is the restriction text as written; <see cref="Restrictions"/> is a key=value view.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "Named after the SDP a= attribute it models, not a .NET attribute.")]
public sealed record RidAttribute(string Id, RidDirection Direction, string? Parameters)
{
    public IReadOnlyDictionary<string, string> Restrictions => SdpParameters.Parse(Parameters);
}
