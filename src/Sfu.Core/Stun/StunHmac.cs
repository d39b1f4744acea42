using System.Security.Cryptography;

namespace Sfu.Core.Stun;

/// <summary>
/// The single place that computes MESSAGE-INTEGRITY's HMAC-SHA1 (RFC 8489 §14.5). SHA-1 is
/// what the protocol and every browser use for ICE connectivity checks; it is an HMAC keyed with
/// the ICE password, not a collision-sensitive signature.
/// </summary>
internal static class StunHmac
{
    /// <summary>Length of the HMAC-SHA1 value carried by MESSAGE-INTEGRITY (RFC 8489 §14.5).</summary>
    public const int Length = 20;

#pragma warning disable CA5350 // HMAC-SHA1 is mandated by RFC 8489 §14.5 / RFC 8445 §7.2.2 for interoperability.
    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
        => HMACSHA1.HashData(key, data, destination);
#pragma warning restore CA5350
}
