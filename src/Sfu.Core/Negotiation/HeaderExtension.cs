namespace Sfu.Core.Negotiation;

/// <summary>
/// a=extmap:&lt;id&gt;[/&lt;direction&gt;] &lt;URI&gt; [&lt;attributes&gt;] (RFC 8285 §8): binds a URI to the local id
/// used in the RTP header extension block.
/// </summary>
public sealed record HeaderExtension(int Id, string Uri, MediaDirection? Direction = null, string? Attributes = null);
