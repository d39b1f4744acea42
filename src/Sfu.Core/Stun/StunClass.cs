namespace Sfu.Core.Stun;

/// <summary>
/// The two class bits C1 C0 of a STUN message type (RFC 8489 §5): the kind of message
/// independent of its method.
/// </summary>
public enum StunClass : byte
{
    /// <summary>0b00: a request, answered by a response with the same transaction ID.</summary>
    Request = 0,

    /// <summary>0b01: an indication, never answered.</summary>
    Indication = 1,

    /// <summary>0b10: a success response.</summary>
    SuccessResponse = 2,

    /// <summary>0b11: an error response, carrying ERROR-CODE.</summary>
    ErrorResponse = 3,
}
