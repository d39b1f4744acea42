namespace Sfu.Core.Stun;

/// <summary>
/// Why <see cref="StunMessage.TryParse"/> accepted or rejected a datagram. Values are
/// contiguous from zero so callers can count rejections in an array indexed by reason.
/// </summary>
public enum StunParseResult : byte
{
    /// <summary>The datagram is a well-formed STUN message.</summary>
    Ok = 0,

    /// <summary>Shorter than the 20-byte header (RFC 8489 §5).</summary>
    TooShort,

    /// <summary>The top two bits are not zero or the magic cookie is missing (RFC 8489 §5).</summary>
    NotStun,

    /// <summary>
    /// The length field is not a multiple of 4 or does not equal the bytes after the header
    /// (RFC 8489 §5: attributes are 4-byte aligned and one datagram carries one message).
    /// </summary>
    BadLength,

    /// <summary>An attribute header or its padded value runs past the end of the message (RFC 8489 §14).</summary>
    AttributeOverrun,

    /// <summary>MESSAGE-INTEGRITY whose value is not 20 bytes (RFC 8489 §14.5).</summary>
    BadMessageIntegrityLength,

    /// <summary>FINGERPRINT whose value is not 4 bytes (RFC 8489 §14.7).</summary>
    BadFingerprintLength,

    /// <summary>An attribute follows FINGERPRINT, which must be last (RFC 8489 §14.7).</summary>
    AttributeAfterFingerprint,
}
