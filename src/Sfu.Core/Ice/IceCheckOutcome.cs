namespace Sfu.Core.Ice;

/// <summary>
/// What <see cref="IceLiteAgent.ProcessBindingRequest"/> did with a datagram. Values are
/// contiguous from zero so callers can keep per-outcome counters in an array.
/// </summary>
public enum IceCheckOutcome : byte
{
    /// <summary>Not a Binding request (an indication, a response, another method): ignored, no answer.</summary>
    NotBindingRequest = 0,

    /// <summary>FINGERPRINT present but wrong, or an empty view: silently discarded (RFC 8489 §7.3).</summary>
    Malformed,

    /// <summary>USERNAME or MESSAGE-INTEGRITY missing: unsigned 400 answer (RFC 8489 §9.1.3).</summary>
    BadRequest,

    /// <summary>Unknown USERNAME or wrong MESSAGE-INTEGRITY: unsigned 401 answer (RFC 8489 §9.1.3).</summary>
    Unauthorized,

    /// <summary>Authenticated, but the peer also claims the controlled role: signed 487 answer (RFC 8445 §7.3.1.1).</summary>
    RoleConflict,

    /// <summary>Valid check: signed success answer with XOR-MAPPED-ADDRESS (RFC 8445 §7.3).</summary>
    Accepted,

    /// <summary>Valid check carrying USE-CANDIDATE: the peer nominated this address (RFC 8445 §7.3.1.5).</summary>
    Nominated,
}
