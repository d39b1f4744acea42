namespace Sfu.Core.Negotiation;

/// <summary>
/// a=fingerprint:&lt;hash-func&gt; &lt;hex:pairs&gt; (RFC 8122 §5): the hash of the DTLS certificate the
/// writer will present. Algorithm is kept as written ("sha-256"); Value is the colon-separated hex.
/// </summary>
public sealed record Fingerprint(string Algorithm, string Value);
